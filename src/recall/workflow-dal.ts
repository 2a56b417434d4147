import type { Queryable } from '../platform/db.ts';

export interface RunRow {
  id: string; kind: string; subject_id: string; input: Record<string, unknown>; status: 'pending' | 'running' | 'succeeded' | 'failed';
  attempts: number; next_attempt_at: Date; last_error: string | null; actor_id: string | null; actor_role: string;
  created_at: Date; updated_at: Date; finished_at: Date | null;
}
export interface StepRow {
  run_id: string; position: number; name: string; status: 'pending' | 'running' | 'done' | 'failed'; attempts: number;
  output: unknown; last_error: string | null; started_at: Date | null; finished_at: Date | null;
}

/** Data access for persisted workflow runs and their steps. Updates of a claimed run are fenced by its attempt number. */
export function workflowDal(q: Queryable) {
  return {
    /** A new pending run; workers take it up only from `due`, so that its creator runs it first. */
    async insertRun(r: { kind: string; subjectId: string; input: object; actorId: string | null; actorRole: string; steps: string[]; now: Date; due: Date }) {
      const id = (await q.query<{ id: string }>(
        `INSERT INTO workflow_runs (kind, subject_id, input, status, next_attempt_at, actor_id, actor_role, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', $7, $4, $5, $6, $6) RETURNING id`,
        [r.kind, r.subjectId, JSON.stringify(r.input), r.actorId, r.actorRole, r.now, r.due])).rows[0].id;
      await q.query(
        `INSERT INTO workflow_steps (run_id, position, name, status) SELECT $1, n, s, 'pending' FROM unnest($2::text[]) WITH ORDINALITY AS x(s, n)`,
        [id, r.steps]);
      return id;
    },
    /**
     * Claims a run for this worker until `leaseEnd`: a pending one, a failed one that is due (or any failed one when
     * forced), or a running one whose lease ran out. Undefined when another worker holds it or nothing is left to do.
     */
    async claim(id: string, now: Date, leaseEnd: Date, force: boolean, maxAttempts: number) {
      return (await q.query<RunRow>(
        `UPDATE workflow_runs SET status = 'running', attempts = attempts + 1, next_attempt_at = $3, updated_at = $2
          WHERE id = $1 AND (status = 'pending' OR (status = 'running' AND next_attempt_at <= $2)
                             OR (status = 'failed' AND ($4 OR (next_attempt_at <= $2 AND attempts < $5))))
          RETURNING *`,
        [id, now, leaseEnd, force, maxAttempts])).rows[0];
    },
    /** Runs a worker may take up now, oldest due first. */
    async due(now: Date, maxAttempts: number, limit: number) {
      return (await q.query<{ id: string }>(
        `SELECT id FROM workflow_runs
          WHERE next_attempt_at <= $1 AND (status IN ('pending', 'running') OR (status = 'failed' AND attempts < $2))
          ORDER BY next_attempt_at LIMIT $3`,
        [now, maxAttempts, limit])).rows.map((r) => r.id);
    },
    /** Extends the lease of a claimed run; false when the claim was lost to another worker. */
    async renew(id: string, attempt: number, leaseEnd: Date, now: Date) {
      return (await q.query(
        `UPDATE workflow_runs SET next_attempt_at = $3, updated_at = $4 WHERE id = $1 AND status = 'running' AND attempts = $2`,
        [id, attempt, leaseEnd, now])).rowCount === 1;
    },
    async finishRun(id: string, attempt: number, status: 'succeeded' | 'failed', error: string | null, nextAttempt: Date, now: Date) {
      await q.query(
        `UPDATE workflow_runs SET status = $3, last_error = $4, next_attempt_at = $5, updated_at = $6,
                finished_at = CASE WHEN $3 = 'succeeded' THEN $6::timestamptz END
          WHERE id = $1 AND attempts = $2 AND status = 'running'`,
        [id, attempt, status, error, nextAttempt, now]);
    },
    /** Marks a step started by the worker holding claim `attempt`; false when another worker has taken the run over. */
    async stepStarted(runId: string, attempt: number, position: number, now: Date) {
      return (await q.query(
        `UPDATE workflow_steps s SET status = 'running', attempts = s.attempts + 1, started_at = $4, last_error = NULL
           FROM workflow_runs r WHERE r.id = s.run_id AND r.status = 'running' AND r.attempts = $2 AND s.run_id = $1 AND s.position = $3`,
        [runId, attempt, position, now])).rowCount === 1;
    },
    /** Records a step's outcome for the worker holding claim `attempt`; false when another worker has taken the run over. */
    async stepFinished(runId: string, attempt: number, position: number, status: 'done' | 'failed', output: unknown, error: string | null, now: Date) {
      return (await q.query(
        `UPDATE workflow_steps s SET status = $4, output = $5, last_error = $6, finished_at = $7
           FROM workflow_runs r WHERE r.id = s.run_id AND r.status = 'running' AND r.attempts = $2 AND s.run_id = $1 AND s.position = $3`,
        [runId, attempt, position, status, output === undefined ? null : JSON.stringify(output), error, now])).rowCount === 1;
    },
    async run(id: string) {
      return (await q.query<RunRow>('SELECT * FROM workflow_runs WHERE id = $1', [id])).rows[0];
    },
    async steps(runIds: string[]) {
      return (await q.query<StepRow>('SELECT * FROM workflow_steps WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, position', [runIds])).rows;
    },
    async runsOf(subjectId: string) {
      return (await q.query<RunRow>('SELECT * FROM workflow_runs WHERE subject_id = $1 ORDER BY created_at, id', [subjectId])).rows;
    },
  };
}
