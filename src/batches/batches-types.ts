/** What an operator sends to record a batch (批次). */
export interface BatchInput {
  productId: string;
  siteId: string;
  lotNumber: string;
  /** A positive decimal with at most 15 integer and 3 fractional digits; a string keeps it exact. */
  quantity: number | string;
  /** Defaults to the product's unit. */
  unit?: string | null;
  /** Production or harvest date, YYYY-MM-DD. */
  producedOn: string;
  /** Defaults to producedOn + the product's shelf life, when it has one. */
  expiresOn?: string | null;
}

/** A batch input after validation, ready to store. */
export interface ValidBatch {
  lotNumber: string;
  quantity: string;
  unit: string;
  producedOn: string;
  expiresOn: string | null;
}
