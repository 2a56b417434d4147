import type { Queryable } from './db.ts';
import { type Actor, actorId } from '../accounts/actor.ts';

export interface JournalEntry {
  type: string;
  subjectType: string;
  subjectId: string;
  payload?: Record<string, unknown>;
}

/** Appends a state change to the node's journal inside the caller's transaction; returns its sequence number. */
export async function appendJournal(q: Queryable, actor: Actor, e: JournalEntry): Promise<string> {
  const r = await q.query<{ seq: string }>(
    `INSERT INTO journal (type, subject_type, subject_id, actor_id, actor_role, payload)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq`,
    [e.type, e.subjectType, e.subjectId, actorId(actor), actor.role, e.payload ?? {}],
  );
  return r.rows[0].seq;
}
