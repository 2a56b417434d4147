/**
 * What the scan route embeds in the consumer page (`<script id="scan-data" type="application/json">`), so that the
 * page needs no second request and the scan is logged once. Found codes carry the same view as the JSON API
 * (`GET /t/{code}` with `Accept: application/json`, see src/scan/scan-types.ts); the rest carry the problem the API
 * answers. Plain types only: the server (src/scan/scan-page.ts) type-checks what it embeds against them.
 */
export type Lang = 'zh' | 'en';
export interface Bilingual { zh: string; en: string }

export type StepKind = 'raw_material' | 'harvested' | 'produced' | 'processed' | 'repacked' | 'shipped' | 'arrived' | 'sold' | 'retailed';

export interface ConsumerView {
  code: string | null;
  kind: 'batch' | 'item';
  status: 'active' | 'unassigned' | 'void';
  voidedAt: string | null;
  product: { name: string; spec: string | null } | null;
  producer: { name: string } | null;
  origin: { site: string; divisionCode: string; division: string; point: { lat: number; lng: number } | null } | null;
  producedOn: string | null;
  expiresOn: string | null;
  inputOrigins: Array<{ divisionCode: string; division: string }>;
  inspections: Array<{
    date: string; kind: string | null; result: 'pass' | 'fail' | 'unknown';
    items: Array<{ name: string; result: string | null; value: string | null; limit: string | null }>;
    reportNo: string | null; divisionCode: string | null; division: string | null;
  }>;
  certificates: Array<{ type: string | null; number: string | null; issuer: string | null; issuedOn: string | null; uri: string | null }>;
  timeline: Array<{ step: StepKind; place: string | null; date: string; divisionCode: string | null; division: string | null }>;
  suspectedClone: { reason: 'far_apart' | 'many_devices' | 'many_scans'; since: string } | null;
  recall?: { action: 'recall' | 'hold'; since: string };
  scanId: string;
}

/** The problem the JSON API answers for a code that is not shown (its code and bilingual message). */
export interface ScanProblem { code: string; message: Bilingual }

export type ScanOutcomeData =
  | { result: 'active' | 'unassigned' | 'void'; view: ConsumerView }
  | { result: 'unknown'; code: string | null; problem: ScanProblem }
  | { result: 'other_node'; code: string; issuedBy: string; problem: ScanProblem }
  | { result: 'malformed'; input: string; problem: ScanProblem };

/** The embedded payload: the outcome, the language the server chose, and the platform node's name for the header. */
export type ScanData = ScanOutcomeData & { lang: Lang; nodeName: string };
