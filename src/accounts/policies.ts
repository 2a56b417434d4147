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

// Regulators whose jurisdiction covers an incident's own manage it; admins manage all.
const managesIncident = (a: Actor, i: { jurisdiction: string }) => a.role === 'platform-admin' || inJurisdiction(a, i.jurisdiction);

export const incidentPolicy = {
  /** Open a problem-food incident: admins (and the platform), and regulators on goods that have been in their jurisdiction. */
  open: (a: Actor) => a.role === 'platform-admin' || (a.role === 'regulator' && !!a.jurisdiction),
  /** Close it: the regulators of its jurisdiction (and above), or an admin. */
  manage: managesIncident,
  /**
   * Read it, notify the affected operators of one's own jurisdiction and resume those steps: its managers, and the
   * regulators it was handed over to (an affected operator lies in their jurisdiction).
   */
  read: (a: Actor, i: { jurisdiction: string }, handedOver: boolean) => managesIncident(a, i) || (a.role === 'regulator' && handedOver),
};

export const noticePolicy = {
  /** Read, acknowledge and answer a recall notice: the addressed operator's admin and staff. */
  answer: (a: Actor, n: { operator_id: string }) => (a.role === 'operator-admin' || a.role === 'operator-staff') && a.operatorId === n.operator_id,
  /** Register webhooks for the operator's notices: its admin. */
  manageWebhooks: (a: Actor) => a.role === 'operator-admin' && !!a.operatorId,
};

export const riskPolicy = {
  /** Read a risk warning: admins; regulators whose jurisdiction covers its division; the members of the operator it is about. */
  read: (a: Actor, w: { operator_id: string | null; division_code: string | null }) =>
    a.role === 'platform-admin' || inJurisdiction(a, w.division_code ?? '') || (!!w.operator_id && member(a, w.operator_id)),
  /** Acknowledge it (seen, being handled): admins, its regulators, and the admin of the operator it is about. */
  acknowledge: (a: Actor, w: { operator_id: string | null; division_code: string | null }) =>
    a.role === 'platform-admin' || inJurisdiction(a, w.division_code ?? '') || (a.role === 'operator-admin' && !!w.operator_id && a.operatorId === w.operator_id),
  /** Close it: admins and its regulators. */
  close: (a: Actor, w: { division_code: string | null }) => a.role === 'platform-admin' || inJurisdiction(a, w.division_code ?? ''),
  /** Change rule settings and run the scheduled rules: platform admins. */
  manage: (a: Actor) => a.role === 'platform-admin',
};

export const complaintPolicy = {
  /**
   * Read and handle a complaint: platform admins, and regulators whose jurisdiction covers its division. Operators
   * never see complaints (they carry the consumer's contact); they hear of them through warnings and incidents.
   */
  handle: (a: Actor, c: { division_code: string | null }) => a.role === 'platform-admin' || inJurisdiction(a, c.division_code ?? ''),
};
