import type { Database } from '../platform/db.ts';
import { conflict, invalid, notFound, tooMany } from '../platform/errors.ts';
import { appendJournal } from '../platform/journal.ts';
import { type Actor, actorId, ensure } from '../accounts/actor.ts';
import { logQuery } from '../access/query-log.ts';
import { jurisdictionPrefix } from '../registry/division.ts';
import { parseTraceInput } from '../codes/codes-fns.ts';
import { recordsDal } from '../records/records-dal.ts';
import { saltedHash } from '../scan/scan-fns.ts';
import { type ComplaintRow, complaintsDal } from './complaints-dal.ts';
import { complaintPolicy } from '../accounts/policies.ts';
import { canMove, complaintReference, photoTooLarge, photoType } from './complaints-fns.ts';
import {
  type ComplaintInput, type ComplaintStatus, DEFAULT_RATE_LIMIT, MAX_PHOTO_BYTES, type PhotoInput, type PhotoType, type RateLimit, type StatusInput,
} from './complaints-types.ts';

export interface ComplaintsDeps {
  db: Database;
  /** Complaints admitted per client address and window (public intake). */
  rateLimit?: RateLimit;
  now?: () => Date;
}

const complaintNotFound = () => notFound('COMPLAINT_NOT_FOUND', '投诉不存在', 'Complaint not found');

/** A complaint as regulators read it: with the consumer's contact (operators never get this view). */
function present(c: ComplaintRow) {
  return {
    id: c.id, reference: complaintReference(c.seq, c.received_at), receivedAt: c.received_at.toISOString(), category: c.category, text: c.summary,
    contact: c.contact, code: c.code, scanId: c.scan_id, channel: c.channel, divisionCode: c.division_code,
    operator: c.operator_id ? { id: c.operator_id, name: c.operator_name, uscc: c.operator_uscc } : null,
    product: c.product_id ? { id: c.product_id, name: c.product_name } : null,
    photo: c.photo_type ? { contentType: c.photo_type, size: c.photo_size } : null,
    status: c.status, statusNote: c.status_note, statusChangedAt: c.status_changed_at?.toISOString() ?? null, statusChangedBy: c.status_changed_by,
  };
}

/**
 * Complaints (投诉举报): public intake from the scan page (rate-limited per client), routed to the regulator of the
 * code's origin operator; regulators list, read and handle the complaints of their jurisdiction. Complaints are the
 * rows the complaint-cluster risk rule counts.
 */
export function createComplaintsService(deps: ComplaintsDeps) {
  const { db } = deps;
  const clock = deps.now ?? (() => new Date());
  const limit = deps.rateLimit ?? DEFAULT_RATE_LIMIT;
  let salt: Promise<string> | undefined;
  const saltOnce = () => (salt ??= complaintsDal(db.pool).salt().catch((e) => { salt = undefined; throw e; }));

  async function readable(actor: Actor, id: string) {
    const c = await complaintsDal(db.pool).byId(id);
    if (!c || !complaintPolicy.handle(actor, c)) throw complaintNotFound();
    return c;
  }

  return {
    /**
     * Receives a complaint about a scanned code, with an optional photo (JPEG, PNG or WebP by its bytes, at most
     * 5 MB). At most `rateLimit.max` per client address in the window. Answers the reference number.
     */
    async submit(input: ComplaintInput, photo: PhotoInput | null, client: { ip: string | null }) {
      let type: PhotoType | null = null;
      if (photo) {
        if (photo.bytes.length > MAX_PHOTO_BYTES) throw photoTooLarge();
        type = photoType(photo.bytes);
        if (!type) throw invalid('COMPLAINT_PHOTO_TYPE', '照片须为 JPEG、PNG 或 WebP 图片', 'The photo must be a JPEG, PNG or WebP image', { field: 'photo' });
      }
      const target = parseTraceInput(input.code, 'code');
      const clientHash = client.ip ? saltedHash(await saltOnce(), client.ip) : null;
      return db.tx(async (q) => {
        const dal = complaintsDal(q);
        const code = target.by === 'lot' ? await recordsDal(q).batchCodeByLot(target.gtin, target.lot) : target.code;
        const found = code ? await dal.codeTarget(code) : undefined;
        if (!found || found.status === 'unassigned') {
          throw notFound('CODE_UNKNOWN', '未查到此追溯码，请核对标签，或拨打 12315 投诉', 'No such trace code: check the label, or call 12315', { field: 'code' });
        }
        if (input.scanId) {
          const scanned = await dal.scanCode(input.scanId);
          // The page passes the scan it was opened from: the scan must be of this code (or of its Digital Link).
          if (scanned === undefined || (scanned !== found.code && scanned !== input.code.trim() && !input.code.includes(scanned))) {
            throw invalid('COMPLAINT_SCAN_UNKNOWN', '扫码记录与追溯码不符', 'The scan does not match the code', { field: 'scanId' });
          }
        }
        const now = clock();
        if (clientHash) {
          await dal.lockClient(clientHash);
          const recent = await dal.countFrom(clientHash, new Date(now.getTime() - limit.windowMinutes * 60_000));
          if (recent >= limit.max) {
            throw tooMany('COMPLAINT_RATE_LIMITED', `提交过于频繁：每 ${limit.windowMinutes} 分钟最多 ${limit.max} 件，请稍后再试`,
              `Too many complaints: at most ${limit.max} every ${limit.windowMinutes} minutes; try again later`, limit.windowMinutes * 60);
          }
        }
        const c = await dal.insert({
          category: input.category, text: input.text, contact: input.contact || null, code: found.code, scanId: input.scanId ?? null,
          operatorId: found.owner_operator_id, productId: found.product_id, divisionCode: found.owner_division, clientHash, now,
        });
        if (photo && type) await dal.insertPhoto(c.id, type, photo.bytes);
        await appendJournal(q, { role: 'public' }, {
          type: 'complaint.received', subjectType: 'complaint', subjectId: c.id,
          payload: { category: input.category, code: found.code, divisionCode: found.owner_division, photo: !!photo },
        });
        return { reference: complaintReference(c.seq, c.received_at), receivedAt: c.received_at.toISOString(), status: c.status };
      });
    },

    /** The complaints of the caller's jurisdiction (all, for admins), newest first, with their status. Every read is logged. */
    async list(actor: Actor, f: { status?: ComplaintStatus; limit?: number }) {
      ensure(actor, actor.role === 'platform-admin' || (actor.role === 'regulator' && !!actor.jurisdiction));
      const prefix = actor.role === 'regulator' ? jurisdictionPrefix(actor.jurisdiction!) : null;
      const rows = await complaintsDal(db.pool).list({ prefix: prefix || null, status: f.status, limit: Math.min(f.limit ?? 100, 500) });
      await logQuery(db.pool, actor, { kind: 'complaints.list', query: { ...f }, resultCount: rows.length });
      return { items: rows.map(present) };
    },

    /** One complaint of the caller's jurisdiction; another's is reported as not found. */
    async get(actor: Actor, id: string) {
      const c = await readable(actor, id);
      await logQuery(db.pool, actor, { kind: 'complaints.get', query: { id }, resultCount: 1, subjectDivision: c.division_code });
      return present(c);
    },

    /** The complaint's photo, served with the type its bytes were recognised as. */
    async photo(actor: Actor, id: string) {
      await readable(actor, id);
      const p = await complaintsDal(db.pool).photo(id);
      if (!p) throw notFound('COMPLAINT_PHOTO_NOT_FOUND', '该投诉没有照片', 'The complaint has no photo');
      return { contentType: p.content_type, body: p.bytes };
    },

    /** Moves a complaint on: received → investigating → closed (closing needs a note); journalled. */
    async setStatus(actor: Actor, id: string, input: StatusInput) {
      await readable(actor, id);
      if (input.status === 'closed' && !input.note) throw invalid('COMPLAINT_NOTE_REQUIRED', '办结须填写处理结果', 'Closing needs a note of what was found and done', { field: 'note' });
      return db.tx(async (q) => {
        const dal = complaintsDal(q);
        const c = (await dal.byId(id, true))!;
        if (!canMove(c.status, input.status)) {
          throw conflict('COMPLAINT_STATUS', `投诉当前为 ${c.status}，不能改为 ${input.status}`, `The complaint is ${c.status}; it cannot become ${input.status}`, { status: c.status });
        }
        await dal.setStatus(id, { status: input.status, note: input.note ?? c.status_note, by: actorId(actor) ?? null, now: clock() });
        await appendJournal(q, actor, { type: 'complaint.status', subjectType: 'complaint', subjectId: id, payload: { from: c.status, to: input.status, note: input.note ?? null } });
        return present((await dal.byId(id))!);
      });
    },
  };
}
export type ComplaintsService = ReturnType<typeof createComplaintsService>;
