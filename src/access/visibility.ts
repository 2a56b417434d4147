import type { Actor } from '../accounts/actor.ts';
import { jurisdictionPrefix } from '../registry/division.ts';

/**
 * Who sees which events (the national docking rules), as one SQL condition over the `events` table, so that
 * every read path (trace, EPCIS query, event by id, exports) applies the same rule:
 *  - platform admin and a national regulator ('000000'): everything;
 *  - a regulator: events whose operator or site lies in its jurisdiction (division-code prefix);
 *  - an operator: its own events, plus hand-overs in which it is the other party — its suppliers' shipments and
 *    sales to it (one up) and its customers' receipts from it (one down). Nothing further, however it asks;
 *  - anonymous: nothing (consumers get the origin view, not events).
 * Returns the condition with `$n` placeholders starting at `firstParam`, and its parameters.
 */
export function eventVisibility(actor: Actor, alias = 'e', firstParam = 1): { sql: string; params: unknown[] } {
  if (actor.role === 'platform-admin') return { sql: 'true', params: [] };
  if (actor.role === 'regulator' && actor.jurisdiction) {
    const prefix = jurisdictionPrefix(actor.jurisdiction);
    if (prefix === '') return { sql: 'true', params: [] };
    return { sql: `${alias}.division_code LIKE $${firstParam}`, params: [`${prefix}%`] };
  }
  if (actor.operatorId && (actor.role === 'operator-admin' || actor.role === 'operator-staff' || actor.role === 'printer')) {
    return { sql: `(${alias}.operator_id = $${firstParam} OR ${alias}.counterparty_id = $${firstParam})`, params: [actor.operatorId] };
  }
  return { sql: 'false', params: [] };
}

/** The same rule for one event row already loaded. */
export function canSeeEvent(actor: Actor, e: { operator_id: string | null; counterparty_id: string | null; division_code: string | null }): boolean {
  if (actor.role === 'platform-admin') return true;
  if (actor.role === 'regulator' && actor.jurisdiction) {
    const prefix = jurisdictionPrefix(actor.jurisdiction);
    return prefix === '' || (e.division_code ?? '').startsWith(prefix);
  }
  if (actor.operatorId && (actor.role === 'operator-admin' || actor.role === 'operator-staff' || actor.role === 'printer')) {
    return e.operator_id === actor.operatorId || e.counterparty_id === actor.operatorId;
  }
  return false;
}
