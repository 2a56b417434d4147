import type { Queryable } from '../platform/db.ts';
import type { LicenceInput, OperatorInput, SiteInput } from './registry-types.ts';

export interface OperatorRow {
  id: string; uscc: string; name: string; types: string[]; division_code: string; address: string | null;
  lat: number | null; lng: number | null; contact_name: string | null; contact_phone: string | null;
  status: string; uscc_override: { by: string; reason: string; at: string } | null; source: string;
  content_hash: string | null; created_at: Date; updated_at: Date;
}
export interface LicenceRow { id: string; operator_id: string; type: string; number: string; issuer: string | null; valid_until: string | null }
export interface SiteRow {
  id: string; operator_id: string; name: string; kind: string; division_code: string; address: string | null;
  lat: number | null; lng: number | null; gln: string | null; created_at: Date;
}
export interface ReviewRow { id: string; operator_id: string; from_status: string | null; to_status: string; actor_id: string | null; actor_role: string; reason: string | null; at: Date }

export interface OperatorFilter { divisionPrefix?: string; status?: string; onlyId?: string; q?: string; type?: string; limit: number; offset: number }

/** Data access for operators, licences, sites and reviews. */
export function registryDal(q: Queryable) {
  return {
    async byId(id: string) {
      return (await q.query<OperatorRow>('SELECT * FROM operators WHERE id = $1', [id])).rows[0];
    },
    async byUscc(uscc: string) {
      return (await q.query<OperatorRow>('SELECT * FROM operators WHERE uscc = $1', [uscc])).rows[0];
    },
    async insert(o: OperatorInput, extra: { status: string; source: string; usccOverride: object | null; contentHash?: string | null }) {
      return (await q.query<OperatorRow>(
        `INSERT INTO operators (uscc, name, types, division_code, address, lat, lng, contact_name, contact_phone, status, uscc_override, source, content_hash)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING *`,
        [o.uscc, o.name, o.types, o.divisionCode, o.address ?? null, o.lat ?? null, o.lng ?? null, o.contactName ?? null,
          o.contactPhone ?? null, extra.status, extra.usccOverride, extra.source, extra.contentHash ?? null],
      )).rows[0];
    },
    async list(f: OperatorFilter) {
      const r = await q.query<OperatorRow & { total: string }>(
        `SELECT *, count(*) OVER () AS total FROM operators
          WHERE ($1::text IS NULL OR division_code LIKE $1 || '%')
            AND ($2::text IS NULL OR status = $2)
            AND ($3::uuid IS NULL OR id = $3)
            AND ($4::text IS NULL OR name ILIKE '%' || $4 || '%' OR uscc = upper($4))
            AND ($5::text IS NULL OR $5 = ANY(types))
          ORDER BY created_at DESC, id LIMIT $6 OFFSET $7`,
        [f.divisionPrefix ?? null, f.status ?? null, f.onlyId ?? null, f.q ?? null, f.type ?? null, f.limit, f.offset],
      );
      return { rows: r.rows, total: Number(r.rows[0]?.total ?? 0) };
    },
    async setStatus(id: string, status: string) {
      return (await q.query<OperatorRow>('UPDATE operators SET status = $2, updated_at = now() WHERE id = $1 RETURNING *', [id, status])).rows[0];
    },
    async insertReview(r: { operatorId: string; from: string | null; to: string; actorId: string | null; actorRole: string; reason?: string | null }) {
      await q.query(
        'INSERT INTO operator_reviews (operator_id, from_status, to_status, actor_id, actor_role, reason) VALUES ($1,$2,$3,$4,$5,$6)',
        [r.operatorId, r.from, r.to, r.actorId, r.actorRole, r.reason ?? null],
      );
    },
    async reviews(operatorId: string) {
      return (await q.query<ReviewRow>('SELECT * FROM operator_reviews WHERE operator_id = $1 ORDER BY id', [operatorId])).rows;
    },
    async insertLicence(operatorId: string, l: LicenceInput) {
      return (await q.query<LicenceRow>(
        `INSERT INTO licences (operator_id, type, number, issuer, valid_until) VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT (operator_id, type, number) DO UPDATE SET issuer = EXCLUDED.issuer, valid_until = EXCLUDED.valid_until
         RETURNING *`,
        [operatorId, l.type.trim(), l.number.trim(), l.issuer ?? null, l.validUntil ?? null],
      )).rows[0];
    },
    async licences(operatorIds: string[]) {
      return (await q.query<LicenceRow>('SELECT * FROM licences WHERE operator_id = ANY($1) ORDER BY type, number', [operatorIds])).rows;
    },
    async insertSite(operatorId: string, s: SiteInput) {
      return (await q.query<SiteRow>(
        `INSERT INTO sites (operator_id, name, kind, division_code, address, lat, lng, gln) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *`,
        [operatorId, s.name, s.kind, s.divisionCode, s.address ?? null, s.lat ?? null, s.lng ?? null, s.gln ?? null],
      )).rows[0];
    },
    async sites(operatorId: string) {
      return (await q.query<SiteRow>('SELECT * FROM sites WHERE operator_id = $1 ORDER BY created_at, name', [operatorId])).rows;
    },
    async siteById(id: string) {
      return (await q.query<SiteRow>('SELECT * FROM sites WHERE id = $1', [id])).rows[0];
    },
  };
}
export type RegistryDal = ReturnType<typeof registryDal>;
