import type { CodeKind } from './code-scheme.ts';

export const CODE_STATUSES = ['unassigned', 'active', 'void'] as const;
export type CodeStatus = (typeof CODE_STATUSES)[number];
/** The four ways of issuing codes (赋码): printed from the platform, downloaded, pre-printed pool, production line. */
export const ISSUE_WAYS = ['platform', 'download', 'pool', 'line'] as const;
export type IssueWay = (typeof ISSUE_WAYS)[number];

/** At most this many codes are issued, activated or listed by one request. */
export const MAX_CODES_PER_REQUEST = 100_000;
/** A production line asks for a few labels at a time. */
export const MAX_LINE_CODES = 10_000;

/** What a scan or a typed code points at: a code, or a batch named by GTIN and lot, or an item by GTIN and serial. */
export type TraceTarget =
  | { by: 'code'; code: string }
  | { by: 'lot'; gtin: string; lot: string }
  | { by: 'serial'; gtin: string; code: string };

/** Everything the node knows about a code, a Digital Link or a lot. Internal: routes present a scoped part of it. */
export interface Resolution {
  /** The trace code, or null when a Digital Link named a batch by GTIN and lot. */
  code: string | null;
  kind: CodeKind;
  /** The code's status; a batch found by GTIN and lot is 'active'; nothing found is 'unknown'. */
  status: 'unassigned' | 'active' | 'void' | 'unknown';
  /** The node that issued the code; a code of another node is unknown here and resolves there. */
  nodeId: string | null;
  issue: {
    issuedVia: IssueWay; poolId: string | null; createdAt: string;
    activatedAt: string | null; voidedAt: string | null; voidReason: string | null;
  } | null;
  batch: {
    id: string; lotNumber: string; quantity: string; unit: string; producedOn: string; expiresOn: string | null;
    site: { id: string; name: string; divisionCode: string; divisionName: string; lat: number | null; lng: number | null };
  } | null;
  product: { id: string; name: string; spec: string | null; gtin: string | null; categoryCode: string } | null;
  operator: { id: string; name: string; divisionCode: string; status: string } | null;
}

/** A code as shown next to its batch or in a response: the text, its printed form and what its QR encodes. */
export interface CodeRef {
  code: string;
  display: string;
  kind: CodeKind;
  status: CodeStatus;
  scanUrl: string;
  /** The GS1 Digital Link URI when the product has a GTIN (and, for a batch code, a GS1-encodable lot). */
  digitalLink: string | null;
}
