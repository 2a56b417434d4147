import type { DomainError } from '../platform/errors.ts';
import type { OriginView } from '../codes/codes-service.ts';

/** How a scan ended, as kept in the scan log. */
export const SCAN_RESULTS = ['active', 'unassigned', 'void', 'unknown', 'other_node', 'malformed'] as const;
export type ScanResult = (typeof SCAN_RESULTS)[number];

/** What was scanned, as the public routes received it (before parsing, so that malformed input is logged too). */
export type ScanInput =
  | { by: 'code'; code: string }
  | { by: 'lot'; gtin: string; lot: string }
  | { by: 'serial'; gtin: string; serial: string };

/** Who scanned, as far as the scan log keeps it (hashed before storage). */
export interface ScanClient { userAgent: string | null; ip: string | null }

/** One logged scan as the clone rule reads it. */
export interface ScanFact { at: Date; lat: number | null; lng: number | null; uaHash: string | null }

export type CloneReason = 'far_apart' | 'many_devices' | 'many_scans';
/** Why an item code looks copied, and since when (the scan at which the rule first fired). */
export interface SuspectedClone { reason: CloneReason; since: string }

/** Steps of the "from farm to here" timeline; nothing in them names a party, a quantity or a price. */
export type StepKind = 'raw_material' | 'harvested' | 'produced' | 'processed' | 'repacked' | 'shipped' | 'arrived' | 'sold' | 'retailed';

export interface Place { divisionCode: string; division: string }

export interface TimelineStep {
  step: StepKind;
  /** For arrivals: the kind of site reached (stall = market, shop, warehouse, plant, kitchen, port). */
  place: string | null;
  date: string;
  divisionCode: string | null;
  division: string | null;
}

export interface PublicInspection {
  date: string;
  kind: string | null;
  result: 'pass' | 'fail' | 'unknown';
  /** Each item tested: `result` is 'pass' or 'fail' when it reads as one; value and limit carry their unit. */
  items: Array<{ name: string; result: string | null; value: string | null; limit: string | null }>;
  reportNo: string | null;
  divisionCode: string | null;
  division: string | null;
}

export interface PublicCertificate {
  type: string | null;
  number: string | null;
  issuer: string | null;
  issuedOn: string | null;
  /** An EPCIS certificationInfo URI, when the certificate came as one. */
  uri: string | null;
}

/** Everything a consumer sees after scanning a known code: origin information only. */
export interface ConsumerView extends OriginView {
  /** For a processed or mixed product: where its inputs came from (divisions, never names). */
  inputOrigins: Place[];
  inspections: PublicInspection[];
  certificates: PublicCertificate[];
  timeline: TimelineStep[];
  suspectedClone: SuspectedClone | null;
  /** Present only while an open problem-food incident covers the code: recall, or hold (sales halted, under investigation). */
  recall?: { action: 'recall' | 'hold'; since: string };
  /** The scan's id, to attach the coarse location the browser offers (POST /scans/{id}/location). */
  scanId: string;
}

/** The outcome of one scan, before it is presented as HTML or JSON; `error` is the problem JSON clients get. */
export type ScanOutcome =
  | { result: 'active' | 'unassigned' | 'void'; view: ConsumerView }
  | { result: 'unknown'; code: string | null; error: DomainError }
  | { result: 'other_node'; code: string; issuedBy: string; error: DomainError }
  | { result: 'malformed'; input: string; error: DomainError };
