/** Operator types (主体类型) and site kinds (场所类型). */
export const OPERATOR_TYPES = [
  'producer', 'processor', 'slaughterhouse', 'wholesale_market', 'retailer', 'caterer', 'importer', 'logistics', 'testing_lab', 'printer',
] as const;
export type OperatorType = (typeof OPERATOR_TYPES)[number];
export const OPERATOR_TYPE_NAMES: Record<OperatorType, [zh: string, en: string]> = {
  producer: ['种养殖/生产主体', 'farm / producer'],
  processor: ['加工企业', 'processor'],
  slaughterhouse: ['屠宰企业', 'slaughterhouse'],
  wholesale_market: ['批发市场', 'wholesale market'],
  retailer: ['零售商', 'retailer'],
  caterer: ['餐饮单位', 'caterer'],
  importer: ['进口商', 'importer'],
  logistics: ['物流企业', 'logistics'],
  testing_lab: ['检测机构', 'testing lab'],
  printer: ['印刷企业', 'label printer'],
};
export const SITE_KINDS = ['farm_plot', 'plant', 'warehouse', 'stall', 'shop', 'kitchen', 'port'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export const OPERATOR_STATUSES = ['pending', 'approved', 'rejected', 'suspended'] as const;
export type OperatorStatus = (typeof OPERATOR_STATUSES)[number];
export const REVIEW_ACTIONS = ['approve', 'reject', 'suspend', 'reinstate'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export interface LicenceInput { type: string; number: string; issuer?: string | null; validUntil?: string | null }

export interface OperatorInput {
  uscc: string;
  name: string;
  types: OperatorType[];
  divisionCode: string;
  address?: string | null;
  lat?: number | null;
  lng?: number | null;
  contactName?: string | null;
  contactPhone?: string | null;
  licences?: LicenceInput[];
  /** Accept a USCC that fails the checksum (platform-admin only; recorded). */
  usccOverride?: { reason: string } | null;
}

export interface SiteInput {
  name: string; kind: SiteKind; divisionCode: string; address?: string | null; lat?: number | null; lng?: number | null; gln?: string | null;
}
