import type { Database, Queryable } from '../platform/db.ts';
import { type Actor, actorId } from '../accounts/actor.ts';
import { workflowDal, type RunRow, type StepRow } from './workflow-dal.ts';

/**
 * A small workflow runner for multi-party writes (STYLE: "sequences of named, retryable steps"). A run is a list
 * of named steps persisted with their status and attempts; each step commits its own work and must be safe to run
 * again (it reads what is already done from the database). A failure leaves the run `failed` with a backoff; a
 * crash leaves it `running` until its lease ends. Either way the run is resumed from its first unfinished step,
 * never restarted, so finished steps are not repeated and unfinished ones are not skipped.
 */

export interface StepContext {
  runId: string;
  input: any;
  /** Outputs of the steps before this one, by name. */
  outputs: Record<string, unknown>;
  /** Extends the run's lease during a long step; throws when another worker has taken the run over. */
  heartbeat(): Promise<void>;
}
export interface WorkflowStep { name: string; run(ctx: StepContext): Promise<unknown> }
export interface WorkflowDefinition { kind: string; steps: readonly WorkflowStep[] }

export interface WorkflowDeps {
  db: Database;
  now: () => Date;
  definitions: readonly WorkflowDefinition[];
  /** How long a claimed run is presumed alive without a heartbeat. */
  leaseMs?: number;
  /** Delay before a failed run is retried automatically, by the attempt that failed. */
  retryMs?: (attempt: number) => number;
  /** Automatic retries stop after this many attempts; a manual resume still runs it. */
  maxAttempts?: number;
}

class LeaseLost extends Error {}

/** A run and its steps as the API shows them. */
function presentRun(r: RunRow, steps: StepRow[]) {
  return {
    id: r.id, kind: r.kind, status: r.status, attempts: r.attempts, lastError: r.last_error,
    createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
    steps: steps.map((s) => ({ name: s.name, status: s.status, attempts: s.attempts, lastError: s.last_error, output: s.output ?? null })),
  };
}
export type RunView = ReturnType<typeof presentRun>;

/** The runner over the given workflow definitions. */
export function createWorkflowRunner(deps: WorkflowDeps) {
  const { db, now } = deps;
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const retryMs = deps.retryMs ?? ((n: number) => Math.min(3_600_000, 30_000 * 2 ** (n - 1)));
  const maxAttempts = deps.maxAttempts ?? 8;
  const definitions = new Map(deps.definitions.map((d) => [d.kind, d]));
  const later = (ms: number) => new Date(now().getTime() + ms);
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 2000);

  async function view(runId: string): Promise<RunView> {
    const dal = workflowDal(db.pool);
    return presentRun((await dal.run(runId))!, await dal.steps([runId]));
  }

  /** Runs the unfinished steps of a claimed run in order; stops at the first failure. */
  async function execute(run: RunRow): Promise<void> {
    const dal = workflowDal(db.pool);
    const def = definitions.get(run.kind);
    if (!def) throw new Error(`no workflow definition for ${run.kind}`);
    const outputs: Record<string, unknown> = {};
    const ctx: StepContext = {
      runId: run.id, input: run.input, outputs,
      async heartbeat() { if (!(await dal.renew(run.id, run.attempts, later(leaseMs), now()))) throw new LeaseLost('workflow lease lost'); },
    };
    for (const s of await dal.steps([run.id])) {
      if (s.status === 'done') { outputs[s.name] = s.output; continue; }
      const step = def.steps.find((x) => x.name === s.name);
      if (!step) throw new Error(`workflow ${run.kind} has no step ${s.name}`);
      // Every record of a step is fenced by this worker's claim: a worker that stalled past its lease (and woke up
      // after another took the run over) records nothing and stops.
      if (!(await dal.stepStarted(run.id, run.attempts, s.position, now()))) return;
      try {
        outputs[s.name] = await step.run(ctx);
        if (!(await dal.stepFinished(run.id, run.attempts, s.position, 'done', outputs[s.name], null, now()))) return;
      } catch (e) {
        // The worker that took the run over owns its state now.
        if (e instanceof LeaseLost) return;
        await dal.stepFinished(run.id, run.attempts, s.position, 'failed', null, message(e), now());
        await dal.finishRun(run.id, run.attempts, 'failed', `${s.name}: ${message(e)}`, later(retryMs(run.attempts)), now());
        return;
      }
    }
    await dal.finishRun(run.id, run.attempts, 'succeeded', null, now(), now());
  }

  return {
    /** Records a new run with its steps pending, in the caller's transaction; returns its id. Workers leave it to its creator for a lease. */
    async start(q: Queryable, kind: string, subjectId: string, input: object, actor: Actor): Promise<string> {
      const def = definitions.get(kind);
      if (!def) throw new Error(`no workflow definition for ${kind}`);
      return workflowDal(q).insertRun({
        kind, subjectId, input, actorId: actorId(actor), actorRole: actor.role, steps: def.steps.map((s) => s.name), now: now(), due: later(leaseMs),
      });
    },

    /**
     * Runs (or resumes) a run unless a live worker holds it or it is finished; `force` resumes a failed run at once,
     * whatever its backoff and attempts. Answers the run as it stands afterwards.
     */
    async run(runId: string, opts: { force?: boolean } = {}): Promise<RunView> {
      const claimed = await workflowDal(db.pool).claim(runId, now(), later(leaseMs), opts.force ?? false, maxAttempts);
      if (claimed) await execute(claimed);
      return view(runId);
    },

    /** Resumes the runs that are due (failed ones after their backoff, running ones whose worker stopped); returns how many ran. */
    async resumeDue(limit = 10): Promise<number> {
      let ran = 0;
      for (const id of await workflowDal(db.pool).due(now(), maxAttempts, limit)) {
        const claimed = await workflowDal(db.pool).claim(id, now(), later(leaseMs), false, maxAttempts);
        if (!claimed) continue;
        await execute(claimed);
        ran++;
      }
      return ran;
    },

    view,

    /** The runs of a subject, oldest first, with their steps. */
    async runsOf(subjectId: string): Promise<RunView[]> {
      const dal = workflowDal(db.pool);
      const runs = await dal.runsOf(subjectId);
      const steps = runs.length ? await dal.steps(runs.map((r) => r.id)) : [];
      return runs.map((r) => presentRun(r, steps.filter((s) => s.run_id === r.id)));
    },
  };
}
export type WorkflowRunner = ReturnType<typeof createWorkflowRunner>;
