import { randomBytes } from 'node:crypto';
import { isUuid, type Database, type Queryable } from '../platform/db.ts';
import type { Logger } from '../platform/logger.ts';
import { DomainError, invalid, notFound } from '../platform/errors.ts';
import { type Actor, type Role, actorId, ensure } from '../accounts/actor.ts';
import { epcisPolicy } from '../accounts/policies.ts';
import { eventVisibility } from '../access/visibility.ts';
import { logQuery } from '../access/query-log.ts';
import { ensureActiveOperator, type captureInTx, type CaptureError, type CaptureResult } from '../events/events-service.ts';
import { contextInfoFromDocument, type ContextInfo } from '../events/epcis-hash.ts';
import { parseJsonCapture, parseXmlCapture } from '../events/epcis-document.ts';
import { BIZ_STEPS, DISPOSITIONS } from '../events/epcis-document-vocab.ts';
import { EVENT_TYPES, type EpcisEvent } from '../events/events-fns.ts';
import { epcisDal, type CaptureJobRow, type StoredEventRow, type ValueColumn } from './epcis-dal.ts';
import { collection, onlyParams, pageOf, parseEventQuery, queryDocument, readPageToken, signPageToken, type StoredEvent } from './epcis-fns.ts';
import { createQueueWorker } from '../platform/worker.ts';
import {
  SYNC_CAPTURE_MAX_BYTES, SYNC_CAPTURE_MAX_EVENTS, type CaptureErrorBehaviour, type CaptureFormat, type CaptureLimits, type EpcFormat,
} from './epcis-types.ts';

/** A capture job as the binding presents it (CaptureJob), with Suyuan's counts beside. */
export interface CaptureJobView {
  captureID: string;
  createdAt: string;
  finishedAt?: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: CaptureErrorBehaviour;
  errors: Array<{ type: string; title: string; status: number; detail: string; code: string; field: string; eventIndex: number }>;
  eventCount: number;
  storedCount: number;
  duplicateCount: number;
  /** Events re-sent with a new errorDeclaration, recorded against the stored event. */
  errorDeclarationCount: number;
}

/** What happened to each event of a capture processed while the client waited. */
export interface CapturedEvent { index: number; eventID: string; hashID: string; outcome: 'stored' | 'duplicate' | 'errorDeclared' }

export interface CaptureRequest { text: string; format: CaptureFormat; bytes: number; errorBehaviour: CaptureErrorBehaviour }


function presentJob(j: CaptureJobRow): CaptureJobView {
  return {
    captureID: j.id,
    createdAt: j.created_at.toISOString(),
    ...(j.finished_at ? { finishedAt: j.finished_at.toISOString() } : {}),
    running: j.status === 'queued' || j.status === 'running',
    success: j.errors.length === 0,
    captureErrorBehaviour: j.error_behaviour,
    errors: j.errors.map((e) => ({
      type: 'epcisException:ValidationException', title: e.message.en, status: 400, detail: e.message.zh,
      code: e.code, field: `epcisBody.eventList.${e.index}.${e.field}`, eventIndex: e.index,
    })),
    eventCount: j.event_count,
    storedCount: j.stored,
    duplicateCount: j.duplicates,
    errorDeclarationCount: j.declared,
  };
}

/** The capturing actor of a queued job, as it was when the job was accepted. */
function jobActor(j: CaptureJobRow): Actor {
  const id = j.actor_id;
  const who = id?.startsWith('apikey:') ? { apiKeyId: id.slice('apikey:'.length) } : id ? { userId: id } : {};
  return { role: j.actor_role as Role, operatorId: j.operator_id ?? undefined, ...who };
}

const toStored = (r: StoredEventRow): StoredEvent => ({ body: r.body, recordTime: r.record_time, captureContext: r.context });

/** Where the events sit in the body as sent, for naming a field in a refusal. */
function eventPath(documentType: string, index: number): string {
  if (documentType === 'EPCISDocument') return `epcisBody.eventList.${index}`;
  if (documentType === 'EPCISQueryDocument') return `epcisBody.queryResults.resultsBody.eventList.${index}`;
  return '';
}

/**
 * The GS1 EPCIS 2.0 REST binding: capture (synchronous for small documents, queued jobs for large ones, both
 * through the shared captureInTx), capture job status, and event queries under the visibility rule.
 */
export function createEpcisService(deps: { db: Database; limits: CaptureLimits; capture: typeof captureInTx }) {
  const { db, limits } = deps;
  let secret: Promise<Uint8Array> | undefined;
  const pageSecret = () => (secret ??= epcisDal(db.pool).pageTokenSecret(randomBytes(32).toString('base64url')).then((s) => Buffer.from(s, 'base64url')));

  /** Runs a job's capture in the caller's transaction and records its outcome; a rollback refusal stores nothing. */
  async function execute(q: Queryable, job: CaptureJobRow, events: EpcisEvent[], context: ContextInfo) {
    const dal = epcisDal(q);
    await q.query('SAVEPOINT capture');
    try {
      const result = await deps.capture(q, jobActor(job), { events, context, source: 'epcis', errorBehaviour: job.error_behaviour, captureId: job.id });
      const row = await dal.finishJob(job.id, {
        status: result.errors.length ? 'failed' : 'succeeded', stored: result.stored.length, duplicates: result.duplicates.length,
        declared: result.declared.length, errors: result.errors,
      });
      return { row, result: result as CaptureResult | undefined };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      await q.query('ROLLBACK TO SAVEPOINT capture');
      const errors = (e.details.errors as CaptureError[] | undefined)
        ?? [{ index: 0, code: e.code, field: String(e.details.field ?? ''), message: { zh: e.zh, en: e.en } }];
      return { row: await dal.finishJob(job.id, { status: 'failed', stored: 0, duplicates: 0, declared: 0, errors }), result: undefined };
    }
  }

  /** Processes the oldest unfinished job, if any; says whether there was one. */
  async function runNextJob(): Promise<boolean> {
    const id = await epcisDal(db.pool).claimNextJob();
    if (!id) return false;
    try {
      await db.tx(async (q) => {
        const job = await epcisDal(q).lockRunningJob(id);
        if (!job) return;
        const namespaces = contextInfoFromDocument({ '@context': job.context }).namespaces;
        await execute(q, job, job.document!.events, { namespaces, ignoreFields: job.document!.ignoreFields });
      });
    } catch (e) {
      // A job that cannot run must not be retried forever: it is closed as failed and the cause goes to the log.
      await epcisDal(db.pool).finishJob(id, {
        status: 'failed', stored: 0, duplicates: 0, declared: 0,
        errors: [{ index: 0, code: 'INTERNAL', field: '', message: { zh: '处理采集任务时出现内部错误', en: 'Internal error while processing the capture job' } }],
      });
      throw e;
    }
    return true;
  }

  const worker = createQueueWorker('capture job', { runNext: runNextJob });

  async function visibleEvents(actor: Actor, query: Record<string, unknown>, resource: string, epcFormat: EpcFormat, fixed?: { name: string; value: string }) {
    ensure(actor, epcisPolicy.query(actor));
    const parsed = parseEventQuery(query, fixed);
    const key = await pageSecret();
    const scope = `events|${parsed.scope}`;
    const after = parsed.pageToken ? readPageToken(key, scope, parsed.pageToken) : null;
    const rows = await epcisDal(db.pool).queryEvents(eventVisibility(actor, 'e', 1), parsed.filter, after, parsed.perPage + 1);
    const page = rows.slice(0, parsed.perPage);
    await logQuery(db.pool, actor, { kind: 'epcis.query', query: { resource, ...parsed.params, ...(after ? { afterSeq: after } : {}) }, resultCount: page.length });
    return {
      document: queryDocument(page.map(toStored), epcFormat),
      next: rows.length > parsed.perPage ? signPageToken(key, scope, page[page.length - 1].seq) : undefined,
    };
  }

  /** Standard terms plus the non-standard ones visible events use, for /bizSteps and /dispositions. */
  async function vocabulary(actor: Actor, column: 'biz_step' | 'disposition', standard: ReadonlySet<string>, resource: string, query: Record<string, unknown>) {
    ensure(actor, epcisPolicy.query(actor));
    onlyParams(query, []);
    // Non-standard terms are a handful per trading community; the cap only guards against a runaway list.
    const used = await epcisDal(db.pool).distinctValues(column, eventVisibility(actor, 'e', 1), null, 10_000);
    const custom = used.filter((v) => !standard.has(v));
    await logQuery(db.pool, actor, { kind: 'epcis.query', query: { resource }, resultCount: custom.length });
    return collection([...standard, ...custom]);
  }

  /** Distinct values among visible events, a page at a time, for /readPoints and /bizLocations. */
  async function values(actor: Actor, column: ValueColumn, resource: string, query: Record<string, unknown>) {
    ensure(actor, epcisPolicy.query(actor));
    onlyParams(query, ['perPage', 'nextPageToken']);
    const { perPage, pageToken } = pageOf(query);
    const key = await pageSecret();
    const after = pageToken ? readPageToken(key, resource, pageToken) : null;
    const found = await epcisDal(db.pool).distinctValues(column, eventVisibility(actor, 'e', 1), after, perPage + 1);
    const page = found.slice(0, perPage);
    await logQuery(db.pool, actor, { kind: 'epcis.query', query: { resource, ...(after ? { after } : {}) }, resultCount: page.length });
    return { document: collection(page), next: found.length > perPage ? signPageToken(key, resource, page[page.length - 1]) : undefined };
  }

  return {
    limits,

    /**
     * Captures an EPCIS document (JSON-LD or XML). The body is parsed and validated first: a malformed or invalid
     * document is refused whole. A small document is then captured at once; a large one is queued as a job.
     */
    async capture(actor: Actor, req: CaptureRequest): Promise<{ job: CaptureJobView; queued: boolean; events?: CapturedEvent[] }> {
      ensure(actor, epcisPolicy.capture(actor));
      // Refused at the door (403), not as a failed job; captureInTx checks again for jobs run later.
      await ensureActiveOperator(db.pool, actor);
      if (req.bytes > limits.bytes) {
        throw new DomainError('too_large', 'EPCIS_CAPTURE_FILE_SIZE_LIMIT', `采集文档超过 ${limits.bytes} 字节的上限`, `The capture document exceeds the limit of ${limits.bytes} bytes`);
      }
      const parsed = req.format === 'xml' ? parseXmlCapture(req.text) : parseJsonCapture(req.text);
      const { events, documentMeta } = parsed;
      if (events.length === 0) throw invalid('EPCIS_NO_EVENTS', '文档中没有事件', 'The document holds no events', { field: 'epcisBody.eventList' });
      if (events.length > limits.events) {
        throw new DomainError('too_large', 'EPCIS_CAPTURE_LIMIT', `一次最多采集 ${limits.events} 个事件，本文档有 ${events.length} 个`,
          `A capture may hold at most ${limits.events} events; this one holds ${events.length}`, { field: 'epcisBody.eventList' });
      }
      // The store keeps the five standard event types; an extension type is refused before anything is stored.
      const odd = events.findIndex((e) => !(EVENT_TYPES as readonly string[]).includes(e.type as string));
      if (odd >= 0) {
        const field = [eventPath(documentMeta.type, odd), 'type'].filter(Boolean).join('.');
        throw invalid('EPCIS_EVENT_TYPE_UNSUPPORTED', `不支持扩展事件类型 ${String(events[odd].type)}`, `Extension event type ${String(events[odd].type)} is not supported`, { field });
      }
      const context = contextInfoFromDocument({ '@context': parsed.context, ...documentMeta });
      const job = {
        errorBehaviour: req.errorBehaviour, actorId: actorId(actor), actorRole: actor.role, operatorId: actor.operatorId ?? null,
        context: parsed.context, eventCount: events.length,
      };
      if (events.length > SYNC_CAPTURE_MAX_EVENTS || req.bytes > SYNC_CAPTURE_MAX_BYTES) {
        const row = await epcisDal(db.pool).insertJob({ ...job, status: 'queued', document: { events, ignoreFields: context.ignoreFields ? [...context.ignoreFields] : [] } });
        worker.kick();
        return { job: presentJob(row), queued: true };
      }
      return db.tx(async (q) => {
        const row = await epcisDal(q).insertJob({ ...job, status: 'running', document: null });
        const done = await execute(q, row, events, context);
        const outcome = (list: CaptureResult['duplicates'], what: CapturedEvent['outcome']) =>
          list.map((e) => ({ index: e.index, eventID: e.eventId, hashID: e.hashId, outcome: what }));
        const captured = done.result && [
          ...outcome(done.result.stored, 'stored'), ...outcome(done.result.duplicates, 'duplicate'), ...outcome(done.result.declared, 'errorDeclared'),
        ].sort((a, b) => a.index - b.index);
        return { job: presentJob(done.row), queued: false, ...(captured ? { events: captured } : {}) };
      });
    },

    /** One capture job, to its submitter's operator or an admin. */
    async job(actor: Actor, captureId: string): Promise<CaptureJobView> {
      ensure(actor, epcisPolicy.capture(actor));
      const row = isUuid(captureId) ? await epcisDal(db.pool).jobById(captureId) : undefined;
      if (!row || !epcisPolicy.readJob(actor, row)) throw notFound('EPCIS_CAPTURE_NOT_FOUND', '采集任务不存在', 'Capture job not found', { field: 'captureID' });
      return presentJob(row);
    },

    /** The capture jobs the caller may see, oldest first, a page at a time. */
    async jobs(actor: Actor, query: Record<string, unknown>) {
      ensure(actor, epcisPolicy.capture(actor));
      onlyParams(query, ['perPage', 'nextPageToken']);
      const { perPage, pageToken } = pageOf(query);
      const operatorId = actor.role === 'platform-admin' ? null : actor.operatorId!;
      const scope = `capture|${operatorId ?? '*'}`;
      const key = await pageSecret();
      const after = pageToken ? JSON.parse(readPageToken(key, scope, pageToken)) as { createdAt: string; id: string } : null;
      const rows = await epcisDal(db.pool).listJobs(operatorId, after, perPage + 1);
      const page = rows.slice(0, perPage);
      const last = page[page.length - 1];
      return {
        jobs: page.map(presentJob),
        next: rows.length > perPage ? signPageToken(key, scope, JSON.stringify({ createdAt: last.created_key, id: last.id })) : undefined,
      };
    },

    /** Events matching the EPCIS query parameters, as an EPCISQueryDocument page; `fixed` is a resource path's filter. */
    queryEvents: visibleEvents,

    /** One event by its eventID (or its CBV hash ID), if the caller may see it. */
    async event(actor: Actor, eventId: string, epcFormat: EpcFormat) {
      ensure(actor, epcisPolicy.query(actor));
      const row = await epcisDal(db.pool).eventById(eventVisibility(actor, 'e', 1), eventId);
      await logQuery(db.pool, actor, { kind: 'epcis.query', query: { resource: 'events/{eventID}', eventID: eventId }, resultCount: row ? 1 : 0 });
      if (!row) throw notFound('EPCIS_EVENT_NOT_FOUND', '事件不存在或无权查看', 'Event not found (or not visible to you)', { field: 'eventID' });
      return queryDocument([toStored(row)], epcFormat);
    },

    /** The event types this repository holds (the five standard ones: extension types are not captured). */
    eventTypes(actor: Actor, query: Record<string, unknown>) {
      ensure(actor, epcisPolicy.query(actor));
      onlyParams(query, []);
      return collection(EVENT_TYPES);
    },
    bizSteps: (actor: Actor, query: Record<string, unknown>) => vocabulary(actor, 'biz_step', BIZ_STEPS, 'bizSteps', query),
    dispositions: (actor: Actor, query: Record<string, unknown>) => vocabulary(actor, 'disposition', DISPOSITIONS, 'dispositions', query),
    readPoints: (actor: Actor, query: Record<string, unknown>) => values(actor, 'read_point', 'readPoints', query),
    bizLocations: (actor: Actor, query: Record<string, unknown>) => values(actor, 'biz_location', 'bizLocations', query),

    /** Starts processing queued capture jobs, those an earlier process left first. */
    startWorker: (log: Logger) => worker.start(log),
    /** Stops the worker after the job under way. */
    stopWorker: () => worker.stop(),
  };
}
export type EpcisService = ReturnType<typeof createEpcisService>;
