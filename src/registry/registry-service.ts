import type { Database, Queryable } from '../platform/db.ts';
import { isUniqueViolation } from '../platform/db.ts';
import { DomainError, conflict, invalid, notFound } from '../platform/errors.ts';
import { appendJournal } from '../platform/journal.ts';
import { type Actor, actorId, ensure } from '../accounts/actor.ts';
import { operatorPolicy } from '../accounts/policies.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import { jurisdictionPrefix, divisionPath } from './division.ts';
import { registryDal, type OperatorRow, type LicenceRow, type SiteRow, type ReviewRow } from './registry-dal.ts';
import { validateOperator, validateSite, nextStatus } from './registry-fns.ts';
import type { OperatorInput, OperatorStatus, ReviewAction, SiteInput } from './registry-types.ts';

export const presentLicence = (l: LicenceRow) => ({ id: l.id, type: l.type, number: l.number, issuer: l.issuer, validUntil: l.valid_until });
export const presentSite = (s: SiteRow) => ({
  id: s.id, operatorId: s.operator_id, name: s.name, kind: s.kind, divisionCode: s.division_code, divisionName: divisionPath(s.division_code).join(' '),
  address: s.address, lat: s.lat, lng: s.lng, gln: s.gln, createdAt: s.created_at.toISOString(),
});
export const presentOperator = (o: OperatorRow, licences: LicenceRow[] = []) => ({
  id: o.id, uscc: o.uscc, name: o.name, types: o.types, divisionCode: o.division_code, divisionName: divisionPath(o.division_code).join(' '),
  address: o.address, lat: o.lat, lng: o.lng, contactName: o.contact_name, contactPhone: o.contact_phone, status: o.status,
  usccOverride: o.uscc_override, source: o.source, licences: licences.map(presentLicence),
  createdAt: o.created_at.toISOString(), updatedAt: o.updated_at.toISOString(),
});
export type OperatorView = ReturnType<typeof presentOperator>;
const presentReview = (r: ReviewRow) => ({ from: r.from_status, to: r.to_status, actorId: r.actor_id, actorRole: r.actor_role, reason: r.reason, at: r.at.toISOString() });

export interface RegistrationAccount { username: string; password: string; displayName?: string }

/** The operator registry (主体备案): registration, review workflow, licences and sites. */
export function createRegistryService(deps: { db: Database; accounts: Pick<AccountsService, 'insertUser'> }) {
  const { db } = deps;

  async function load(q: Queryable, id: string): Promise<OperatorRow> {
    const o = await registryDal(q).byId(id);
    if (!o) throw notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found');
    return o;
  }

  /**
   * Inserts a validated operator with its licences, first review record and journal entry.
   * Refuses a second registration of the same USCC, naming the existing record.
   */
  async function insertOperator(q: Queryable, actor: Actor, input: OperatorInput, how: { status: OperatorStatus; source: string; contentHash?: string }) {
    const v = validateOperator(input, { overrideAllowed: operatorPolicy.overrideUscc(actor) });
    const dal = registryDal(q);
    const existing = await dal.byUscc(v.uscc);
    if (existing) throw operatorExists(existing);
    const override = v.usccOverridden ? { by: actorId(actor), reason: v.usccOverride!.reason.trim(), at: new Date().toISOString() } : null;
    let row: OperatorRow;
    try {
      row = await dal.insert(v, { status: how.status, source: how.source, usccOverride: override, contentHash: how.contentHash });
    } catch (e) {
      if (isUniqueViolation(e, 'operators_uscc_key')) throw operatorExists((await registryDal(db.pool).byUscc(v.uscc))!);
      throw e;
    }
    const licences = [];
    for (const l of v.licences ?? []) licences.push(await dal.insertLicence(row.id, l));
    await dal.insertReview({ operatorId: row.id, from: null, to: how.status, actorId: actorId(actor), actorRole: actor.role, reason: how.source === 'import' ? '历史备案导入 / imported registration' : null });
    await appendJournal(q, actor, { type: 'operator.registered', subjectType: 'operator', subjectId: row.id, payload: { uscc: row.uscc, source: how.source, usccOverride: override } });
    return { row, licences };
  }

  return {
    insertOperator,

    /**
     * Registers an operator (pending review). Anonymous callers register themselves and must give the
     * operator-admin account to create; admins and regulators may register on an operator's behalf.
     */
    async register(actor: Actor, input: OperatorInput, account?: RegistrationAccount): Promise<OperatorView> {
      ensure(actor, actor.role === 'public' || actor.role === 'platform-admin' || actor.role === 'regulator');
      if (actor.role === 'public' && !account) throw invalid('ACCOUNT_REQUIRED', '自助注册须同时创建管理员账号', 'Self-registration must include the admin account to create', { field: 'account' });
      return db.tx(async (q) => {
        const { row, licences } = await insertOperator(q, actor, input, { status: 'pending', source: actor.role === 'public' ? 'self' : 'admin' });
        if (account) {
          await deps.accounts.insertUser(q, actor, {
            username: account.username, password: account.password, displayName: account.displayName ?? row.name,
            role: row.types.includes('printer') && row.types.length === 1 ? 'printer' : 'operator-admin', operatorId: row.id,
          });
        }
        return presentOperator(row, licences);
      });
    },

    async get(actor: Actor, id: string): Promise<OperatorView> {
      const o = await load(db.pool, id);
      ensure(actor, operatorPolicy.read(actor, o));
      return presentOperator(o, await registryDal(db.pool).licences([o.id]));
    },

    /** Lists the operators the actor may see: all (admin), its jurisdiction (regulator), its own (operator). */
    async list(actor: Actor, f: { status?: string; divisionCode?: string; q?: string; type?: string; limit?: number; offset?: number }) {
      ensure(actor, actor.role !== 'public');
      const scope: { divisionPrefix?: string; onlyId?: string } = {};
      if (actor.role === 'regulator') scope.divisionPrefix = jurisdictionPrefix(actor.jurisdiction!);
      else if (actor.role !== 'platform-admin') scope.onlyId = actor.operatorId;
      // A requested division narrows the scope; it never widens it.
      let divisionPrefix = scope.divisionPrefix;
      if (f.divisionCode) {
        const want = jurisdictionPrefix(f.divisionCode);
        if (divisionPrefix !== undefined && !want.startsWith(divisionPrefix)) return { items: [], total: 0 };
        divisionPrefix = want;
      }
      const limit = Math.min(f.limit ?? 50, 500);
      const { rows, total } = await registryDal(db.pool).list({ ...scope, divisionPrefix, status: f.status, q: f.q, type: f.type, limit, offset: f.offset ?? 0 });
      const licences = await registryDal(db.pool).licences(rows.map((r) => r.id));
      return { items: rows.map((r) => presentOperator(r, licences.filter((l) => l.operator_id === r.id))), total };
    },

    /** Approve / reject / suspend / reinstate, recording who and why. */
    async review(actor: Actor, id: string, action: ReviewAction, reason?: string | null): Promise<OperatorView> {
      return db.tx(async (q) => {
        const dal = registryDal(q);
        const o = (await q.query<OperatorRow>('SELECT * FROM operators WHERE id = $1 FOR UPDATE', [id])).rows[0];
        if (!o) throw notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found');
        ensure(actor, operatorPolicy.review(actor, o));
        const to = nextStatus(o.status as OperatorStatus, action, reason);
        const row = await dal.setStatus(id, to);
        await dal.insertReview({ operatorId: id, from: o.status, to, actorId: actorId(actor), actorRole: actor.role, reason });
        await appendJournal(q, actor, { type: `operator.${action}`, subjectType: 'operator', subjectId: id, payload: { from: o.status, to, reason: reason ?? null } });
        return presentOperator(row, await dal.licences([id]));
      });
    },

    async reviews(actor: Actor, id: string) {
      const o = await load(db.pool, id);
      ensure(actor, operatorPolicy.read(actor, o));
      return (await registryDal(db.pool).reviews(id)).map(presentReview);
    },

    async addLicence(actor: Actor, operatorId: string, l: { type: string; number: string; issuer?: string | null; validUntil?: string | null }) {
      return db.tx(async (q) => {
        const o = await load(q, operatorId);
        ensure(actor, operatorPolicy.manage(actor, o));
        validateOperator({ ...presentOperatorInput(o), licences: [l] }, { overrideAllowed: true });
        const row = await registryDal(q).insertLicence(operatorId, l);
        await appendJournal(q, actor, { type: 'operator.licence', subjectType: 'operator', subjectId: operatorId, payload: { type: l.type, number: l.number } });
        return presentLicence(row);
      });
    },

    async addSite(actor: Actor, operatorId: string, input: SiteInput) {
      return db.tx(async (q) => {
        const o = await load(q, operatorId);
        ensure(actor, operatorPolicy.manage(actor, o));
        const row = await registryDal(q).insertSite(operatorId, validateSite(input));
        await appendJournal(q, actor, { type: 'site.created', subjectType: 'site', subjectId: row.id, payload: { operatorId } });
        return presentSite(row);
      });
    },

    async sites(actor: Actor, operatorId: string) {
      const o = await load(db.pool, operatorId);
      ensure(actor, operatorPolicy.read(actor, o));
      return (await registryDal(db.pool).sites(operatorId)).map(presentSite);
    },

    /** Live check for forms: is this USCC well-formed, and is it registered already? */
    async checkUscc(uscc: string) {
      try {
        const v = validateOperator({ uscc, name: 'x', types: ['producer'], divisionCode: '110101' }, { overrideAllowed: false });
        const existing = await registryDal(db.pool).byUscc(v.uscc);
        return { uscc: v.uscc, valid: true, problem: null, message: null, registered: existing ? { id: existing.id, name: existing.name, status: existing.status } : null };
      } catch (e) {
        // The same problem code and words a registration with this USCC would be refused with.
        const d = e instanceof DomainError ? e : null;
        return { uscc, valid: false, problem: d?.code ?? 'USCC_INVALID', message: d ? { zh: d.zh, en: d.en } : null, registered: null };
      }
    },
  };
}
export type RegistryService = ReturnType<typeof createRegistryService>;

function operatorExists(existing: OperatorRow) {
  return conflict('OPERATOR_EXISTS', `该统一社会信用代码已登记为“${existing.name}”`, `This USCC is already registered as "${existing.name}"`, {
    field: 'uscc', existing: { id: existing.id, name: existing.name, uscc: existing.uscc, status: existing.status },
  });
}

function presentOperatorInput(o: OperatorRow): OperatorInput {
  return { uscc: o.uscc, name: o.name, types: o.types as OperatorInput['types'], divisionCode: o.division_code, usccOverride: o.uscc_override ? { reason: o.uscc_override.reason } : null };
}
