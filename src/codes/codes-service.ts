import type { Database, Queryable } from '../platform/db.ts';
import { conflict, forbidden, invalid, notFound } from '../platform/errors.ts';
import { appendJournal } from '../platform/journal.ts';
import { type Actor, actorId, ensure, isOperatorRole } from '../accounts/actor.ts';
import { operatorPolicy, poolPolicy } from '../accounts/policies.ts';
import { registryDal, type OperatorRow } from '../registry/registry-dal.ts';
import { divisionPath } from '../registry/division.ts';
import { batchesDal, type BatchRow } from '../batches/batches-dal.ts';
import { assertOperatorApproved, formatQuantity } from '../batches/batches-fns.ts';
import type { LabelRecord } from '../labels/label-types.ts';
import { type CodeKind, formatCode, generateCode } from './code-scheme.ts';
import { codesDal, type CodeRow, type IssueSpec, type PoolRow, type PrintableRow, type ResolvedRow } from './codes-dal.ts';
import { csvLine, digitalLink, parseCodeOrThrow, parseTraceInput, qrUrl, scanUrl } from './codes-fns.ts';
import { type CodeRef, type CodeStatus, type Resolution, type TraceTarget, MAX_CODES_PER_REQUEST } from './codes-types.ts';

export interface CodesDeps {
  db: Database;
  /** SUYUAN_NODE_ID: the three characters that open every code this node issues. */
  nodeId: string;
  /** PUBLIC_URL without a trailing slash: the base of scan URLs and Digital Links. */
  publicUrl: string;
  /** Source of fresh random codes; tests replace it to force a collision. */
  newCode?: (kind: CodeKind) => string;
}

export interface PoolInput { ownerOperatorId: string; printerOperatorId?: string | null; kind: CodeKind; size: number; note?: string | null }
/** Where printable codes come from: one batch or one pool. */
export interface PrintSource { batchId?: string; poolId?: string }

/** Rounds of regeneration before giving up: each code collides with probability live/31^11, so even a second round is rare. */
const MAX_ROUNDS = 8;
const PAGE = 5000;

const codeUnknown = (code: string | null, nodeId: string | null) =>
  notFound('CODE_UNKNOWN', '本平台没有这个追溯码', 'No such trace code on this platform node', { traceCode: code, issuedBy: nodeId });
// Details never use the key `code`: they are spread into the problem document, whose `code` is the error code.
const codeVoid = (traceCode: string) => conflict('CODE_VOID', '该追溯码已作废', 'This trace code has been voided', { traceCode });
const batchNotFound = () => notFound('BATCH_NOT_FOUND', '批次不存在', 'Batch not found', { field: 'batchId' });
const poolNotFound = () => notFound('POOL_NOT_FOUND', '码池不存在', 'Code pool not found');
const operatorNotFound = (field: string) => notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found', { field });
const codeNotYours = () => forbidden('CODE_NOT_YOURS', '该追溯码属于其他经营主体', 'This trace code belongs to another operator');
const batchNotYours = () => forbidden('BATCH_NOT_YOURS', '该批次属于其他经营主体', 'The batch belongs to another operator');

const presentPool = (p: PoolRow, counts: Record<CodeStatus, number>) => ({
  id: p.id, ownerOperatorId: p.owner_operator_id, printerOperatorId: p.printer_operator_id, kind: p.kind, size: p.size,
  note: p.note, counts, createdAt: p.created_at.toISOString(),
});
export type PoolView = ReturnType<typeof presentPool>;

function toResolution(r: ResolvedRow, kind: CodeKind): Resolution {
  return {
    code: r.code,
    kind: r.kind ?? kind,
    status: r.status ?? 'active',
    nodeId: r.code ? r.code.slice(0, 3) : null,
    issue: r.code ? {
      issuedVia: r.issued_via!, poolId: r.pool_id, createdAt: r.created_at!.toISOString(),
      activatedAt: r.activated_at?.toISOString() ?? null, voidedAt: r.voided_at?.toISOString() ?? null, voidReason: r.void_reason,
    } : null,
    batch: r.batch_id ? {
      id: r.batch_id, lotNumber: r.lot_number!, quantity: formatQuantity(r.quantity!), unit: r.unit!, producedOn: r.produced_on!, expiresOn: r.expires_on,
      site: {
        id: r.site_id!, name: r.site_name!, divisionCode: r.site_division!, divisionName: divisionPath(r.site_division!).join(' '),
        lat: r.site_lat, lng: r.site_lng,
      },
    } : null,
    product: r.product_id ? { id: r.product_id, name: r.product_name!, spec: r.spec, gtin: r.gtin, categoryCode: r.category_code! } : null,
    operator: { id: r.operator_id, name: r.operator_name, divisionCode: r.operator_division, status: r.operator_status },
  };
}

const unknown = (code: string | null, kind: CodeKind): Resolution =>
  ({ code, kind, status: 'unknown', nodeId: code ? code.slice(0, 3) : null, issue: null, batch: null, product: null, operator: null });

/**
 * Trace codes (追溯码): issuing them with a batch, for its items, as pools for outside printers and to
 * production lines; activation, voiding, printable files and labels, and resolution of codes and Digital Links.
 */
export function createCodesService(deps: CodesDeps) {
  const { db, publicUrl } = deps;
  const newCode = deps.newCode ?? ((kind: CodeKind) => generateCode(deps.nodeId, kind));

  /** Inserts `count` fresh codes in order with one statement per round, regenerating the rare collisions. */
  async function issue(q: Queryable, spec: IssueSpec, count: number): Promise<string[]> {
    const out: string[] = new Array(count);
    let pending = Array.from({ length: count }, (_, i) => i);
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_ROUNDS) throw new Error(`no unused codes found for ${pending.length} positions after ${MAX_ROUNDS} rounds`);
      const fresh = new Set<string>();
      while (fresh.size < pending.length) fresh.add(newCode(spec.kind));
      const proposed = [...fresh];
      const inserted = new Set(await codesDal(q).insertCodes(spec, proposed, pending.map((i) => i + 1)));
      const retry: number[] = [];
      pending.forEach((pos, k) => { if (inserted.has(proposed[k])) out[pos] = proposed[k]; else retry.push(pos); });
      pending = retry;
    }
    return out;
  }

  async function journalIssue(q: Queryable, actor: Actor, subject: { type: string; id: string }, spec: IssueSpec, codes: string[]) {
    await appendJournal(q, actor, {
      type: 'codes.issued', subjectType: subject.type, subjectId: subject.id,
      payload: { kind: spec.kind, issuedVia: spec.issuedVia, count: codes.length, first: codes[0], last: codes.at(-1), batchId: spec.batchId, poolId: spec.poolId },
    });
  }

  async function operator(q: Queryable, id: string, field = 'operatorId'): Promise<OperatorRow> {
    const o = await registryDal(q).byId(id);
    if (!o) throw operatorNotFound(field);
    return o;
  }

  async function batchOf(q: Queryable, id: string, lock = false): Promise<BatchRow> {
    const b = await batchesDal(q).byId(id, lock);
    if (!b) throw batchNotFound();
    return b;
  }

  /** The code row (locked), refusing malformed and unknown codes. */
  async function lockedCode(q: Queryable, input: string): Promise<CodeRow> {
    const { code } = parseCodeOrThrow(input);
    const row = await codesDal(q).byCode(code, true);
    if (!row) throw codeUnknown(code, code.slice(0, 3));
    return row;
  }

  async function resolveWith(q: Queryable, t: TraceTarget): Promise<Resolution> {
    if (t.by === 'lot') {
      const row = await codesDal(q).resolveLot(t.gtin, t.lot);
      return row ? toResolution(row, 'batch') : unknown(null, 'batch');
    }
    const kind = parseCodeOrThrow(t.code).kind;
    const row = await codesDal(q).resolveCode(t.code);
    // A serial in a Digital Link must be an item code of a product with that very GTIN.
    if (!row || (t.by === 'serial' && (row.kind !== 'item' || row.gtin !== t.gtin))) return unknown(t.code, kind);
    return toResolution(row, kind);
  }

  /** The full view of a code for those allowed to see it: the resolution plus its printed form and links. */
  const detailOf = (r: Resolution) => ({
    ...r,
    display: r.code ? formatCode(r.code) : null,
    scanUrl: r.code ? scanUrl(publicUrl, r.code) : null,
    digitalLink: r.code ? digitalLink(publicUrl, { kind: r.kind, code: r.code, gtin: r.product?.gtin ?? null, lot: r.batch?.lotNumber ?? null }) : null,
  });
  const describe = async (q: Queryable, code: string) => detailOf(await resolveWith(q, { by: 'code', code }));

  /** Checks the caller may print from the source and says which kinds of code it holds. */
  async function printSource(actor: Actor, src: PrintSource, kind?: CodeKind): Promise<{ src: PrintSource; kinds: CodeKind[]; name: string }> {
    if (!!src.batchId === !!src.poolId) throw invalid('PRINT_SOURCE', '须指定一个批次或一个码池', 'Give exactly one of batchId and poolId', { field: 'batchId' });
    if (src.batchId) {
      const b = await batchOf(db.pool, src.batchId);
      ensure(actor, operatorPolicy.work(actor, await operator(db.pool, b.operator_id)));
      return { src: { batchId: b.id }, kinds: kind ? [kind] : ['batch', 'item'], name: `batch-${b.id}` };
    }
    const p = await codesDal(db.pool).pool(src.poolId!);
    if (!p) throw poolNotFound();
    ensure(actor, poolPolicy.read(actor, p));
    return { src: { poolId: p.id }, kinds: !kind || kind === p.kind ? [p.kind] : [], name: `pool-${p.id}` };
  }

  /** Printable codes in issue order, a page at a time, at most `limit` in all. */
  async function* printable(src: PrintSource, kinds: CodeKind[], limit: number): AsyncGenerator<PrintableRow[]> {
    let left = limit;
    for (const kind of kinds) {
      let afterSeq = '0';
      while (left > 0) {
        const want = Math.min(PAGE, left);
        const rows = await codesDal(db.pool).printable({ ...src, kind, afterSeq, limit: want });
        if (rows.length > 0) yield rows;
        left -= rows.length;
        if (rows.length < want) break;
        afterSeq = rows.at(-1)!.seq;
      }
    }
  }

  const lotOf = (r: PrintableRow) => ({ kind: r.kind, code: r.code, gtin: r.gtin, lot: r.lot_number });
  const toLabel = (r: PrintableRow): LabelRecord => ({
    code: r.code, display: formatCode(r.code), qrUrl: qrUrl(publicUrl, lotOf(r)),
    // An unassigned pool code is printed before anyone knows its product.
    productName: r.product_name ?? '', operatorName: r.operator_name, lot: r.lot_number, producedOn: r.produced_on, kind: r.kind,
  });

  return {
    /** Issues the batch code printed from the platform, inside the transaction that creates the batch. */
    async issueBatchCode(q: Queryable, actor: Actor, batch: BatchRow): Promise<string> {
      const spec: IssueSpec = { kind: 'batch', status: 'active', ownerOperatorId: batch.operator_id, batchId: batch.id, poolId: null, issuedVia: 'platform', by: actorId(actor) };
      const codes = await issue(q, spec, 1);
      await journalIssue(q, actor, { type: 'batch', id: batch.id }, spec, codes);
      return codes[0];
    },

    /** Binds an unassigned (pre-printed) code of the batch's operator to the batch, inside the transaction that creates it. */
    async bindCode(q: Queryable, actor: Actor, input: string, batch: BatchRow): Promise<string> {
      const c = await lockedCode(q, input);
      if (c.owner_operator_id !== batch.operator_id) throw codeNotYours();
      if (c.status === 'void') throw codeVoid(c.code);
      if (c.status === 'active') throw conflict('CODE_ALREADY_ACTIVE', '该追溯码已激活', 'This trace code is already active', { traceCode: c.code, batchId: c.batch_id });
      await codesDal(q).activate(c.code, batch.id, actorId(actor));
      await appendJournal(q, actor, { type: 'code.activated', subjectType: 'code', subjectId: c.code, payload: { batchId: batch.id, poolId: c.pool_id } });
      return c.code;
    },

    /** The batch code issued with each batch, presented with its links, keyed by batch id. */
    async batchCodeRefs(q: Queryable, batches: { id: string; gtin: string | null; lot_number: string }[]): Promise<Map<string, CodeRef>> {
      const byId = new Map(batches.map((b) => [b.id, b]));
      const rows = batches.length ? await codesDal(q).firstBatchCodes([...byId.keys()]) : [];
      return new Map(rows.map((c) => {
        const b = byId.get(c.batch_id!)!;
        const link = { kind: c.kind, code: c.code, gtin: b.gtin, lot: b.lot_number };
        return [b.id, { code: c.code, display: formatCode(c.code), kind: c.kind, status: c.status, scanUrl: scanUrl(publicUrl, c.code), digitalLink: digitalLink(publicUrl, link) }];
      }));
    },

    /** Issues `count` item codes for a batch, to print from the platform or to download and print elsewhere. */
    async issueItemCodes(actor: Actor, batchId: string, count: number, issuedVia: 'platform' | 'download' = 'platform') {
      return db.tx(async (q) => {
        const b = await batchOf(q, batchId, true);
        const owner = await operator(q, b.operator_id);
        ensure(actor, operatorPolicy.work(actor, owner));
        assertOperatorApproved(owner);
        const spec: IssueSpec = { kind: 'item', status: 'active', ownerOperatorId: owner.id, batchId: b.id, poolId: null, issuedVia, by: actorId(actor) };
        const codes = await issue(q, spec, count);
        await journalIssue(q, actor, { type: 'batch', id: b.id }, spec, codes);
        return { batchId: b.id, kind: 'item' as const, issuedVia, count: codes.length, codes };
      });
    },

    /** The pools the caller's operator owns or prints (all pools for an admin), newest first. */
    async listPools(actor: Actor, page: { limit?: number; offset?: number }) {
      ensure(actor, actor.role === 'platform-admin' || (isOperatorRole(actor) && !!actor.operatorId));
      const rows = await codesDal(db.pool).listPools({
        operatorId: actor.role === 'platform-admin' ? null : actor.operatorId!, limit: page.limit ?? 50, offset: page.offset ?? 0,
      });
      return {
        items: rows.map((r) => ({
          ...presentPool(r, { unassigned: 0, active: 0, void: 0, ...(r.counts ?? {}) }),
          ownerName: r.owner_name, printerName: r.printer_name,
        })),
      };
    },

    /** Issues a pool of unassigned codes for a printer to print ahead; the owner activates them later. */
    async createPool(actor: Actor, input: PoolInput): Promise<PoolView> {
      return db.tx(async (q) => {
        const owner = await operator(q, input.ownerOperatorId, 'ownerOperatorId');
        ensure(actor, operatorPolicy.manage(actor, owner));
        assertOperatorApproved(owner);
        if (input.printerOperatorId) {
          const printer = await operator(q, input.printerOperatorId, 'printerOperatorId');
          if (!printer.types.includes('printer')) {
            throw invalid('NOT_A_PRINTER', `“${printer.name}”不是印刷企业`, `"${printer.name}" is not a label printer`, { field: 'printerOperatorId' });
          }
          assertOperatorApproved(printer);
        }
        const pool = await codesDal(q).insertPool({
          ownerOperatorId: owner.id, printerOperatorId: input.printerOperatorId ?? null, kind: input.kind, size: input.size, note: input.note?.trim() || null, by: actorId(actor),
        });
        const spec: IssueSpec = { kind: pool.kind, status: 'unassigned', ownerOperatorId: owner.id, batchId: null, poolId: pool.id, issuedVia: 'pool', by: actorId(actor) };
        await appendJournal(q, actor, { type: 'pool.created', subjectType: 'pool', subjectId: pool.id, payload: { ownerOperatorId: owner.id, printerOperatorId: pool.printer_operator_id, kind: pool.kind, size: pool.size } });
        const codes = await issue(q, spec, pool.size);
        await journalIssue(q, actor, { type: 'pool', id: pool.id }, spec, codes);
        return presentPool(pool, { unassigned: codes.length, active: 0, void: 0 });
      });
    },

    async getPool(actor: Actor, id: string): Promise<PoolView> {
      const p = await codesDal(db.pool).pool(id);
      if (!p) throw poolNotFound();
      ensure(actor, poolPolicy.read(actor, p));
      return presentPool(p, await codesDal(db.pool).poolCounts(id));
    },

    /** Binds one unassigned (pre-printed) code of the caller's operator to one of its batches. */
    async activate(actor: Actor, input: string, batchId: string) {
      return db.tx(async (q) => {
        const c = await lockedCode(q, input);
        const owner = await operator(q, c.owner_operator_id);
        if (!operatorPolicy.work(actor, owner)) throw codeNotYours();
        if (c.status === 'void') throw codeVoid(c.code);
        if (c.status === 'active') throw conflict('CODE_ALREADY_ACTIVE', '该追溯码已激活', 'This trace code is already active', { traceCode: c.code, batchId: c.batch_id });
        assertOperatorApproved(owner);
        const b = await batchOf(q, batchId, true);
        if (b.operator_id !== owner.id) throw batchNotYours();
        await codesDal(q).activate(c.code, b.id, actorId(actor));
        await appendJournal(q, actor, { type: 'code.activated', subjectType: 'code', subjectId: c.code, payload: { batchId: b.id, poolId: c.pool_id } });
        return describe(q, c.code);
      });
    },

    /** Activates the next `count` unassigned codes of a pool (a roll of pre-printed labels) for one batch. */
    async activateFromPool(actor: Actor, poolId: string, batchId: string, count: number) {
      return db.tx(async (q) => {
        const p = await codesDal(q).pool(poolId, true);
        if (!p) throw poolNotFound();
        const owner = await operator(q, p.owner_operator_id);
        ensure(actor, operatorPolicy.work(actor, owner));
        assertOperatorApproved(owner);
        const b = await batchOf(q, batchId, true);
        if (b.operator_id !== owner.id) throw batchNotYours();
        const codes = await codesDal(q).activateNext(p.id, b.id, count, actorId(actor));
        if (codes.length < count) {
          throw conflict('POOL_EXHAUSTED', `码池只剩 ${codes.length} 个未激活的码`, `Only ${codes.length} unassigned codes remain in the pool`, { remaining: codes.length, requested: count });
        }
        await appendJournal(q, actor, { type: 'pool.activated', subjectType: 'pool', subjectId: p.id, payload: { batchId: b.id, count, first: codes[0], last: codes.at(-1) } });
        return { poolId: p.id, batchId: b.id, count, codes };
      });
    },

    /** Voids a code for good (lost, damaged or misprinted labels); the row stays and resolves as void. */
    async voidCode(actor: Actor, input: string, reason: string) {
      if (!reason.trim()) throw invalid('REASON_REQUIRED', '作废须说明原因', 'Voiding a code needs a reason', { field: 'reason' });
      return db.tx(async (q) => {
        const c = await lockedCode(q, input);
        const owner = await operator(q, c.owner_operator_id);
        if (!operatorPolicy.manage(actor, owner)) throw codeNotYours();
        if (c.status === 'void') throw codeVoid(c.code);
        await codesDal(q).voidCode(c.code, reason.trim(), actorId(actor));
        await appendJournal(q, actor, { type: 'code.voided', subjectType: 'code', subjectId: c.code, payload: { from: c.status, reason: reason.trim(), batchId: c.batch_id } });
        return describe(q, c.code);
      });
    },

    /**
     * Hands a production-line printer the next `count` item codes of a batch. Idempotent per (operator,
     * requestId): a retry gets the same codes; the same requestId for another batch or count is refused.
     */
    async lineCodes(actor: Actor, input: { requestId: string; batchId: string; count: number }) {
      ensure(actor, (actor.role === 'operator-admin' || actor.role === 'operator-staff') && !!actor.operatorId);
      const operatorId = actor.operatorId!;
      return db.tx(async (q) => {
        const dal = codesDal(q);
        const present = (b: { id: string; gtin: string | null; lot_number: string }, codes: string[], replayed: boolean) => ({
          requestId: input.requestId, batchId: b.id, count: codes.length, replayed,
          codes: codes.map((code) => ({ code, display: formatCode(code), qrUrl: qrUrl(publicUrl, { kind: 'item', code, gtin: b.gtin, lot: b.lot_number }) })),
        });
        const replay = async (r: { batch_id: string; count: number }) => {
          if (r.batch_id !== input.batchId || r.count !== input.count) {
            throw conflict('REQUEST_ID_REUSED', '该请求号已用于另一批次或数量', 'This requestId was already used for another batch or count', { requestId: input.requestId, batchId: r.batch_id, count: r.count });
          }
          return present(await batchesDal(q).detail(r.batch_id), await dal.lineCodes(operatorId, input.requestId), true);
        };
        const seen = await dal.lineRequest(operatorId, input.requestId);
        if (seen) return replay(seen);
        const b = await batchOf(q, input.batchId, true);
        if (b.operator_id !== operatorId) throw batchNotYours();
        const owner = await operator(q, operatorId);
        assertOperatorApproved(owner);
        const created = await dal.insertLineRequest({ operatorId, requestId: input.requestId, batchId: b.id, count: input.count });
        // A concurrent twin committed first: answer as its retry.
        if (!created) return replay((await dal.lineRequest(operatorId, input.requestId))!);
        const spec: IssueSpec = {
          kind: 'item', status: 'active', ownerOperatorId: operatorId, batchId: b.id, poolId: null, issuedVia: 'line',
          line: { operatorId, requestId: input.requestId }, by: actorId(actor),
        };
        const codes = await issue(q, spec, input.count);
        await journalIssue(q, actor, { type: 'batch', id: b.id }, spec, codes);
        return present(await batchesDal(q).detail(b.id), codes, false);
      });
    },

    /**
     * A CSV of a batch's or a pool's printable codes (code, display, kind, scan URL, Digital Link), streamed in
     * issue order. Permission is checked before the first line.
     */
    async codesFile(actor: Actor, source: PrintSource): Promise<{ filename: string; lines: AsyncIterable<string> }> {
      const { src, kinds, name } = await printSource(actor, source);
      async function* lines() {
        yield csvLine(['code', 'display', 'kind', 'scan_url', 'digital_link']);
        for await (const page of printable(src, kinds, Number.MAX_SAFE_INTEGER)) {
          yield page.map((r) => csvLine([r.code, formatCode(r.code), r.kind, scanUrl(publicUrl, r.code), digitalLink(publicUrl, lotOf(r))])).join('');
        }
      }
      return { filename: `${name}-codes.csv`, lines: lines() };
    },

    /** Label records for the label renderers, with the same permission rules as downloading the codes. */
    async labelsFor(actor: Actor, opts: { batchId?: string; poolId?: string; kind?: 'batch' | 'item'; limit?: number }): Promise<LabelRecord[]> {
      const limit = opts.limit ?? MAX_CODES_PER_REQUEST;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CODES_PER_REQUEST) {
        throw invalid('LIMIT_INVALID', `数量须在 1 到 ${MAX_CODES_PER_REQUEST} 之间`, `limit must be 1 to ${MAX_CODES_PER_REQUEST}`, { field: 'limit' });
      }
      const { src, kinds } = await printSource(actor, opts, opts.kind);
      const out: LabelRecord[] = [];
      for await (const page of printable(src, kinds, limit)) out.push(...page.map(toLabel));
      return out;
    },

    /**
     * Resolves a trace code (any spacing or case), a scan URL `{PUBLIC_URL}/t/{code}` or a GS1 Digital Link
     * (`/01/{gtin}/10/{lot}` → the batch, `/01/{gtin}/21/{serial}` → the item with that code). Malformed input
     * throws CODE_FORMAT / CODE_CHECKSUM / GTIN_*; a well-formed code this node does not know has status 'unknown'.
     */
    async resolve(codeOrUri: string): Promise<Resolution> {
      return resolveWith(db.pool, parseTraceInput(codeOrUri));
    },

    /** Full detail of a code for its owner, a regulator over the owner's division, or an admin. */
    async detail(actor: Actor, input: string) {
      const r = await resolveWith(db.pool, { by: 'code', code: parseCodeOrThrow(input).code });
      if (r.status === 'unknown') throw codeUnknown(r.code, r.nodeId);
      ensure(actor, operatorPolicy.read(actor, { id: r.operator!.id, division_code: r.operator!.divisionCode }));
      return detailOf(r);
    },

    /**
     * The origin of a code, Digital Link or lot as anyone who scans may see it (`view`: product, producer, origin,
     * dates and status; never quantities), with the internal references a caller needs to join further
     * consumer-safe facts (`batchId`, `producerId`, `nodeId`), which are never shown. Nothing found: status 'unknown'.
     */
    async publicOrigin(input: string | TraceTarget): Promise<PublicOrigin> {
      const r = await resolveWith(db.pool, typeof input === 'string' ? parseTraceInput(input) : input);
      return { view: presentOrigin(r), batchId: r.batch?.id ?? null, producerId: r.operator?.id ?? null, nodeId: r.nodeId };
    },
  };
}
export type CodesService = ReturnType<typeof createCodesService>;

const coarse = (x: number) => Math.round(x * 100) / 100;

/** The consumer-safe part of a resolution: what a scan page or its JSON may show. */
function presentOrigin(r: Resolution) {
  return {
    code: r.code, kind: r.kind, status: r.status,
    voidedAt: r.issue?.voidedAt ?? null,
    product: r.product && { name: r.product.name, spec: r.product.spec },
    producer: r.operator && { name: r.operator.name },
    origin: r.batch && {
      site: r.batch.site.name, divisionCode: r.batch.site.divisionCode, division: r.batch.site.divisionName,
      // For the page's small map: the site to about a kilometre (0.01°), never the exact spot.
      point: r.batch.site.lat !== null && r.batch.site.lng !== null ? { lat: coarse(r.batch.site.lat), lng: coarse(r.batch.site.lng) } : null,
    },
    producedOn: r.batch?.producedOn ?? null,
    expiresOn: r.batch?.expiresOn ?? null,
  };
}
export type OriginView = ReturnType<typeof presentOrigin>;
export interface PublicOrigin { view: OriginView; batchId: string | null; producerId: string | null; nodeId: string | null }
