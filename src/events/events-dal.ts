import { copyField, copyIn, isUniqueViolation, type Queryable } from '../platform/db.ts';
import type { EpcisEvent, RoleChar } from './events-fns.ts';

export interface EventRow {
  seq: string; hash_id: string; event_id: string; event_type: string; action: string | null; biz_step: string | null;
  disposition: string | null; event_time: Date; record_time: Date; read_point: string | null; biz_location: string | null;
  operator_id: string | null; division_code: string | null; counterparty_id: string | null; source: string;
  capture_id: string | null; captured_by: string | null; body: EpcisEvent;
}

export interface NewEvent {
  hashId: string; eventId: string; eventType: string; action: string | null; bizStep: string | null; disposition: string | null;
  eventTime: string; readPoint: string | null; bizLocation: string | null; operatorId: string | null; divisionCode: string | null;
  counterpartyId: string | null; body: EpcisEvent; ids: Array<{ key: string; role: RoleChar }>;
}

/**
 * SQL for an event (table alias `e`) as it stands: its body with the latest error declaration recorded after its
 * capture (event_error_declarations), else as captured. Every read path that shows or interprets events uses it.
 */
export const currentBodySql = (e = 'e') =>
  `(${e}.body || COALESCE((SELECT jsonb_build_object('errorDeclaration', d.declaration) FROM event_error_declarations d
                           WHERE d.seq = ${e}.seq ORDER BY d.id DESC LIMIT 1), '{}'::jsonb))`;

/** SQL condition: the event (alias `e`) has been declared erroneous, at capture or later. */
export const declaredErroneousSql = (e = 'e') =>
  `(${e}.body ? 'errorDeclaration' OR EXISTS (SELECT 1 FROM event_error_declarations d WHERE d.seq = ${e}.seq))`;

export interface CodeFacts { code: string; status: string; owner_operator_id: string; kind: string; batch_id: string | null }

/** The columns a capture writes, in the order of `eventCopyRow` (record_time is the transaction's time, by default). */
export const EVENT_COPY_COLUMNS = 'seq, hash_id, event_id, event_type, action, biz_step, disposition, event_time, read_point, biz_location, ' +
  'operator_id, division_code, counterparty_id, source, capture_id, captured_by, body';

export interface CaptureMeta { source: string; captureId: string | null; capturedBy: string | null }

/** An event's row in COPY's text format, in the order of EVENT_COPY_COLUMNS, ending with its newline. */
export function eventCopyRow(seq: string, e: NewEvent, meta: CaptureMeta): string {
  return [seq, e.hashId, e.eventId, e.eventType, e.action, e.bizStep, e.disposition, e.eventTime, e.readPoint, e.bizLocation,
    e.operatorId, e.divisionCode, e.counterpartyId, meta.source, meta.captureId, meta.capturedBy, JSON.stringify(e.body)].map(copyField).join('\t') + '\n';
}

/** The event_ids rows of an event in COPY's text format, each ending with its newline. */
export function identifierCopyRows(seq: string, e: Pick<NewEvent, 'ids'>): string {
  let out = '';
  for (const id of e.ids) out += `${copyField(id.key)}\t${id.role}\t${seq}\n`;
  return out;
}

/** Data access for the event store. Inserts are set-based: one COPY for the events, one for their identifiers. */
export function eventsDal(q: Queryable) {
  const dal = {
    /**
     * Stores new events and their identifiers, and returns them with their sequence numbers; events stored in the
     * meantime by a concurrent capture (same hash ID) are skipped. The caller has already left out events stored
     * before it looked (storedIds), so the rows normally go in with COPY — the cheapest way into PostgreSQL, with
     * every constraint, foreign key and trigger checked as for an INSERT — under sequence numbers reserved first, in
     * the events' order (after taking the table lock an INSERT would). If a concurrent capture committed one of the
     * same events in between, COPY fails on the hash ID's unique key: the rows are rolled back to a savepoint and go
     * in again by the statement that skips stored events. Any other unique key (an eventID already taken) rolls back
     * to the savepoint and throws, for the caller to check again. In the caller's transaction (a client, not the pool).
     */
    async insertEvents(events: NewEvent[], meta: CaptureMeta) {
      if (events.length === 0) return [] as Array<{ seq: string; hash_id: string }>;
      // The lock an INSERT into events takes before it draws a seq, taken before the numbers are drawn here: the
      // dashboard rollup (src/dashboard/rollup.ts) waits for the transactions holding it before it folds past a seq.
      await q.query('LOCK TABLE events IN ROW EXCLUSIVE MODE; SAVEPOINT capture_copy');
      // One row back, not one per number; the sequence is looked up once (MATERIALIZED), not once per number as
      // nextval(pg_get_serial_sequence(…)) would: thousands of numbers in a few milliseconds.
      const seqs = (await q.query<{ s: string }>(
        `WITH q AS MATERIALIZED (SELECT pg_get_serial_sequence('events', 'seq')::regclass AS seq)
         SELECT string_agg(v::text, ',' ORDER BY v) AS s FROM (SELECT nextval(q.seq) AS v FROM q, generate_series(1, $1)) n`,
        [events.length])).rows[0].s.split(',');
      let ids = '';
      // The events' rows in chunks, made while the server stores the chunk before; their identifiers' rows on the way.
      function* rows(): Generator<string> {
        let chunk = '';
        for (let n = 0; n < events.length; n++) {
          chunk += eventCopyRow(seqs[n], events[n], meta);
          ids += identifierCopyRows(seqs[n], events[n]);
          if (n % 200 === 199) { yield chunk; chunk = ''; }
        }
        if (chunk) yield chunk;
      }
      try {
        await copyIn(q, `COPY events (${EVENT_COPY_COLUMNS}) FROM STDIN`, rows());
        if (ids) await copyIn(q, 'COPY event_ids (key, role, seq) FROM STDIN', ids);
        await q.query('RELEASE SAVEPOINT capture_copy');
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // Back to before the rows, so that the transaction goes on: with the statement that skips stored events, or
        // (an eventID another event holds) in the caller, which checks again.
        await q.query('ROLLBACK TO SAVEPOINT capture_copy');
        if (!isUniqueViolation(err, 'events_hash_key')) throw err;
        try {
          return await dal.insertSkippingStored(events, meta);
        } catch (again) {
          if (isUniqueViolation(again)) await q.query('ROLLBACK TO SAVEPOINT capture_copy');
          throw again;
        }
      }
      return events.map((e, n) => ({ seq: seqs[n], hash_id: e.hashId }));
    },
    /**
     * The race's way in: one INSERT that skips events whose hash ID is stored (ON CONFLICT), then their identifiers.
     * (One statement with a data-modifying WITH measured 10% slower: its identifiers must find their event by hash ID.)
     */
    async insertSkippingStored(events: NewEvent[], meta: CaptureMeta) {
      const col = <T>(f: (e: NewEvent) => T) => events.map(f);
      // The bodies travel as one JSON array: a jsonb[] parameter costs several times more to escape and parse.
      const stored = (await q.query<{ seq: string; hash_id: string }>(
        `INSERT INTO events (hash_id, event_id, event_type, action, biz_step, disposition, event_time, read_point, biz_location,
                             operator_id, division_code, counterparty_id, source, capture_id, captured_by, body)
         SELECT h, i, t, a, bs, d, et, rp, bl, op, dv, cp, $13, $14, $15, $16::jsonb -> (n::int - 1)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[],
                       $9::text[], $10::uuid[], $11::text[], $12::uuid[])
             WITH ORDINALITY AS x(h, i, t, a, bs, d, et, rp, bl, op, dv, cp, n)
          ORDER BY n
         ON CONFLICT (hash_id) DO NOTHING
         RETURNING seq, hash_id`,
        [col((e) => e.hashId), col((e) => e.eventId), col((e) => e.eventType), col((e) => e.action), col((e) => e.bizStep),
          col((e) => e.disposition), col((e) => e.eventTime), col((e) => e.readPoint), col((e) => e.bizLocation),
          col((e) => e.operatorId), col((e) => e.divisionCode), col((e) => e.counterpartyId), meta.source, meta.captureId,
          meta.capturedBy, JSON.stringify(col((e) => e.body))],
      )).rows;
      const seqByHash = new Map(stored.map((r) => [r.hash_id, r.seq]));
      const keys: string[] = []; const roles: string[] = []; const seqs: string[] = [];
      for (const e of events) {
        const seq = seqByHash.get(e.hashId);
        if (!seq) continue;
        for (const id of e.ids) { keys.push(id.key); roles.push(id.role); seqs.push(seq); }
      }
      if (keys.length) {
        await q.query('INSERT INTO event_ids (key, role, seq) SELECT * FROM unnest($1::text[], $2::"char"[], $3::bigint[])', [keys, roles, seqs]);
      }
      return stored;
    },
    /**
     * Stored events with one of these hash IDs or eventIDs, in one statement: each stored hash ID with its event
     * (sequence, eventID, owner), and the stored hash ID of each eventID (to tell an ID clash from a duplicate).
     */
    async storedIds(hashes: string[], eventIds: string[]) {
      const rows = (await q.query<{ seq: string; event_id: string; hash_id: string; operator_id: string | null }>(
        'SELECT seq, event_id, hash_id, operator_id FROM events WHERE hash_id = ANY($1) OR event_id = ANY($2)', [hashes, eventIds])).rows;
      return { hashes: new Map(rows.map((r) => [r.hash_id, r])), byEventId: new Map(rows.map((r) => [r.event_id, r.hash_id])) };
    },
    /**
     * Records an error declaration of a stored event, unless the event already carries the same one (in its body or
     * as an earlier declaration); says whether it was recorded.
     */
    async insertDeclaration(seq: string, declaration: object, meta: { captureId: string | null; declaredBy: string | null }): Promise<boolean> {
      const json = JSON.stringify(declaration);
      return ((await q.query(
        `INSERT INTO event_error_declarations (seq, declaration, capture_id, declared_by)
         SELECT $1, $2::jsonb, $3, $4
          WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = $1 AND e.body->'errorDeclaration' = $2::jsonb)
         ON CONFLICT (seq, md5(declaration::text)) DO NOTHING`,
        [seq, json, meta.captureId, meta.declaredBy])).rowCount ?? 0) > 0;
    },
    /** Records that these item codes (of these lots) are named by an event; ones already recorded are left. */
    async noteMovedItems(codes: string[], batchIds: string[]) {
      await q.query(
        'INSERT INTO moved_items (batch_id, code) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING', [batchIds, codes]);
    },
    async codeFacts(codes: string[]) {
      return (await q.query<CodeFacts>('SELECT code, status, owner_operator_id, kind, batch_id FROM codes WHERE code = ANY($1)', [codes])).rows;
    },
    /**
     * Codes among `keys` handed over to `operatorId`: some event names it the counterparty, or it recorded
     * receiving them itself (entry admission when the supplier recorded no shipment).
     */
    async handedTo(keys: string[], operatorId: string) {
      return new Set((await q.query<{ key: string }>(
        `SELECT DISTINCT i.key FROM event_ids i JOIN events e ON e.seq = i.seq
          WHERE i.key = ANY($1) AND (e.counterparty_id = $2 OR (e.operator_id = $2 AND e.biz_step = 'receiving'))`,
        [keys, operatorId])).rows.map((r) => r.key));
    },
    /** Keys that already appear in any stored event. */
    async usedKeys(keys: string[]) {
      return new Set((await q.query<{ key: string }>('SELECT DISTINCT key FROM event_ids WHERE key = ANY($1)', [keys])).rows.map((r) => r.key));
    },
    async operatorsByUscc(usccs: string[]) {
      return (await q.query<{ id: string; uscc: string; division_code: string }>(
        'SELECT id, uscc, division_code FROM operators WHERE uscc = ANY($1)', [usccs])).rows;
    },
    async sitesById(ids: string[]) {
      return (await q.query<{ id: string; operator_id: string; division_code: string }>(
        'SELECT id, operator_id, division_code FROM sites WHERE id = ANY($1::uuid[])', [ids])).rows;
    },
    /** The capturing operator, locked so that a concurrent suspension waits for the capture. */
    async lockOperator(id: string) {
      return (await q.query<{ id: string; division_code: string; status: string }>(
        'SELECT id, division_code, status FROM operators WHERE id = $1 FOR SHARE', [id])).rows[0];
    },
  };
  return dal;
}
export type EventsDal = ReturnType<typeof eventsDal>;
