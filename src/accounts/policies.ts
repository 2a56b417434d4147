import type { Actor } from './actor.ts';
import { covers } from '../registry/division.ts';

/**
 * Who may do what, declared in one place per entity. Services call these before acting; routes only
 * declare which roles may call them (for the OpenAPI document and an early refusal).
 */
interface OperatorSubject { id: string; division_code: string }

const inJurisdiction = (a: Actor, division: string) => a.role === 'regulator' && !!a.jurisdiction && covers(a.jurisdiction, division);
const member = (a: Actor, operatorId: string) => a.operatorId === operatorId && (a.role === 'operator-admin' || a.role === 'operator-staff' || a.role === 'printer');

export const operatorPolicy = {
  read: (a: Actor, o: OperatorSubject) => a.role === 'platform-admin' || inJurisdiction(a, o.division_code) || member(a, o.id),
  /** Approve, reject, suspend, reinstate. */
  review: (a: Actor, o: OperatorSubject) => a.role === 'platform-admin' || inJurisdiction(a, o.division_code),
  /** Edit profile, licences, sites, staff, API keys. */
  manage: (a: Actor, o: OperatorSubject) => a.role === 'platform-admin' || (a.role === 'operator-admin' && a.operatorId === o.id),
  /** Day-to-day records: products, batches, codes. */
  work: (a: Actor, o: OperatorSubject) => a.role === 'platform-admin' || ((a.role === 'operator-admin' || a.role === 'operator-staff') && a.operatorId === o.id),
  overrideUscc: (a: Actor) => a.role === 'platform-admin',
  importBulk: (a: Actor) => a.role === 'platform-admin',
};

export const userPolicy = {
  /** Admins create any account; an operator-admin creates staff of its own operator. */
  create: (a: Actor, target: { role: string; operatorId?: string | null }) =>
    a.role === 'platform-admin' || (a.role === 'operator-admin' && target.role === 'operator-staff' && target.operatorId === a.operatorId),
  list: (a: Actor) => a.role === 'platform-admin' || a.role === 'operator-admin',
};

export const catalogPolicy = {
  manageCategories: (a: Actor) => a.role === 'platform-admin',
  manageKeyTrace: (a: Actor) => a.role === 'platform-admin',
};

export const poolPolicy = {
  /** The printer that holds a pool may read and download its codes; so may the owning operator. */
  read: (a: Actor, p: { owner_operator_id: string; printer_operator_id: string | null }) =>
    a.role === 'platform-admin' || member(a, p.owner_operator_id) || (a.role === 'printer' && a.operatorId === p.printer_operator_id),
};

export const epcisPolicy = {
  /** Capture EPCIS events: an operator's admin or staff (API keys included) for its own records, or an admin. */
  capture: (a: Actor) => a.role === 'platform-admin' || ((a.role === 'operator-admin' || a.role === 'operator-staff') && !!a.operatorId),
  /** A capture job is seen by admins and by the operator that submitted it. */
  readJob: (a: Actor, job: { operator_id: string | null }) =>
    a.role === 'platform-admin' || ((a.role === 'operator-admin' || a.role === 'operator-staff') && !!a.operatorId && a.operatorId === job.operator_id),
  /** Query events: any signed-in role; which events each sees is the visibility rule (access/visibility.ts). */
  query: (a: Actor) => a.role !== 'public',
};

export const ledgerPolicy = {
  /** Import and export electronic ledgers (电子台账): an operator's admin or staff (API keys included), for its own operator only. */
  keep: (a: Actor) => (a.role === 'operator-admin' || a.role === 'operator-staff') && !!a.operatorId,
};
