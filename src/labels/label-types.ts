/** One label to print: what the codes capability hands to the label renderers. */
export interface LabelRecord {
  /** The 16-character trace code. */
  code: string;
  /** The code as printed for people: four groups of four. */
  display: string;
  /** What the QR code encodes: `{PUBLIC_URL}/t/{code}`, or the GS1 Digital Link URI when the product has a GTIN. */
  qrUrl: string;
  productName: string;
  operatorName: string;
  lot: string | null;
  producedOn: string | null;
  kind: 'batch' | 'item';
}
