import type { Actor } from '../accounts/actor.ts';
import type { EpcisEvent, RoleChar } from '../events/events-fns.ts';

/** Which way a trace runs: upstream to the origins, downstream to where things went, or both from the start. */
export const TRACE_DIRECTIONS = ['backward', 'forward', 'both'] as const;
export type TraceDirection = (typeof TRACE_DIRECTIONS)[number];
/** One way of travel; `both` runs the two independently from the start. */
export type Direction = Exclude<TraceDirection, 'both'>;

/** A trace stops admitting new nodes here and says `truncated: true`. */
export const MAX_TRACE_NODES = 50_000;

/** An event as the lineage engine needs it: attribution, the identifiers it names by role, and its body. */
export interface LineageEvent {
  seq: string;
  eventId: string;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  eventTime: Date;
  recordTime: Date;
  operatorId: string | null;
  counterpartyId: string | null;
  divisionCode: string | null;
  ids: Array<{ key: string; role: RoleChar }>;
  body: EpcisEvent;
}

/**
 * Where the engine reads one level from. The PostgreSQL implementation is one batched query; a federated or
 * sharded one fans the same call out and merges. Implementations apply the viewer's visibility themselves.
 */
export interface LineageSource {
  /** Every event visible to `viewer` that names one of `keys`, once each, with every identifier it names. */
  expand(keys: readonly string[], viewer: Actor): Promise<LineageEvent[]>;
}
