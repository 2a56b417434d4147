import type { Queryable } from '../platform/db.ts';
import type { ComplaintCategory, ComplaintStatus, PhotoType } from './complaints-types.ts';

/** What a complaint names: the code with its kind, owner and the product of its batch. */
export interface CodeTargetRow {
  code: string; kind: 'batch' | 'item'; status: string; owner_operator_id: string; owner_division: string;
  product_id: string | null; product_name: string | null;
}
export interface ComplaintRow {
  id: string; seq: string; received_at: Date; category: ComplaintCategory; summary: string; contact: string | null; code: string | null;
  channel: string | null; scan_id: string | null; division_code: string | null; status: ComplaintStatus; status_note: string | null;
  status_changed_at: Date | null; status_changed_by: string | null;
  operator_id: string | null; operator_name: string | null; operator_uscc: string | null;
  product_id: string | null; product_name: string | null; photo_type: PhotoType | null; photo_size: number | null;
}

const COLUMNS = `c.id, c.seq, c.received_at, c.category, c.summary, c.contact, c.code, c.channel, c.scan_id, c.division_code, c.status,
  c.status_note, c.status_changed_at, c.status_changed_by, o.id AS operator_id, o.name AS operator_name, o.uscc AS operator_uscc,
  c.product_id, p.name AS product_name, ph.content_type AS photo_type, ph.size AS photo_size`;
// The operator a complaint concerns: the one named, else the maker of the product (as the cluster rule reads it).
const FROM = `complaints c LEFT JOIN products p ON p.id = c.product_id LEFT JOIN operators o ON o.id = COALESCE(c.operator_id, p.operator_id)
  LEFT JOIN complaint_photos ph ON ph.complaint_id = c.id`;

/** Data access for complaints and their photos. */
export function complaintsDal(q: Queryable) {
  return {
    /** The per-node salt of client hashes (migration 0014). */
    async salt(): Promise<string> {
      return (await q.query<{ value: string }>(`SELECT value FROM node_settings WHERE key = 'complaints.salt'`)).rows[0].value;
    },
    /** The code a complaint names, with its origin operator's division and its batch's product. */
    async codeTarget(code: string) {
      return (await q.query<CodeTargetRow>(
        `SELECT c.code, c.kind, c.status, c.owner_operator_id, o.division_code AS owner_division, b.product_id, p.name AS product_name
           FROM codes c JOIN operators o ON o.id = c.owner_operator_id LEFT JOIN batches b ON b.id = c.batch_id LEFT JOIN products p ON p.id = b.product_id
          WHERE c.code = $1::bpchar`, [code])).rows[0];
    },
    /** The code a scan logged, if the scan exists. */
    async scanCode(scanId: string) {
      return (await q.query<{ code: string }>('SELECT code FROM scans WHERE id = $1', [scanId])).rows[0]?.code;
    },
    /** Serialises intake per client (rate limit) until the transaction ends. */
    async lockClient(clientHash: string) {
      await q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 14))', [`complaints:${clientHash}`]);
    },
    /** Complaints from one client since a time. */
    async countFrom(clientHash: string, since: Date) {
      return Number((await q.query<{ n: string }>(
        'SELECT count(*) AS n FROM complaints WHERE client_hash = $1 AND received_at >= $2', [clientHash, since])).rows[0].n);
    },
    async insert(r: {
      category: ComplaintCategory; text: string; contact: string | null; code: string; scanId: string | null; operatorId: string;
      productId: string | null; divisionCode: string; clientHash: string | null; now: Date;
    }) {
      return (await q.query<{ id: string; seq: string; received_at: Date; status: ComplaintStatus }>(
        `INSERT INTO complaints (received_at, operator_id, product_id, code, channel, summary, category, contact, scan_id, division_code, client_hash)
         VALUES ($1, $2, $3, $4, 'scan_page', $5, $6, $7, $8, $9, $10) RETURNING id, seq, received_at, status`,
        [r.now, r.operatorId, r.productId, r.code, r.text, r.category, r.contact, r.scanId, r.divisionCode, r.clientHash])).rows[0];
    },
    async insertPhoto(complaintId: string, type: PhotoType, bytes: Buffer) {
      await q.query('INSERT INTO complaint_photos (complaint_id, content_type, size, bytes) VALUES ($1, $2, $3, $4)', [complaintId, type, bytes.length, bytes]);
    },
    /** Complaints newest first; with a division prefix, those inside it. */
    async list(f: { prefix: string | null; status?: ComplaintStatus; limit: number }) {
      return (await q.query<ComplaintRow>(
        `SELECT ${COLUMNS} FROM ${FROM}
          WHERE ($1::text IS NULL OR c.division_code LIKE $1 || '%') AND ($2::text IS NULL OR c.status = $2)
          ORDER BY c.received_at DESC, c.seq DESC LIMIT $3`,
        [f.prefix, f.status ?? null, f.limit])).rows;
    },
    async byId(id: string, lock = false) {
      return (await q.query<ComplaintRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`, [id])).rows[0];
    },
    async photo(id: string) {
      return (await q.query<{ content_type: PhotoType; bytes: Buffer }>('SELECT content_type, bytes FROM complaint_photos WHERE complaint_id = $1', [id])).rows[0];
    },
    async setStatus(id: string, r: { status: ComplaintStatus; note: string | null; by: string | null; now: Date }) {
      await q.query('UPDATE complaints SET status = $2, status_note = $3, status_changed_by = $4, status_changed_at = $5 WHERE id = $1',
        [id, r.status, r.note, r.by, r.now]);
    },
  };
}
