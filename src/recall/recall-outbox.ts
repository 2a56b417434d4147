import type { Database } from '../platform/db.ts';
import { recallDal, type ClaimedDelivery } from './recall-dal.ts';
import { retryDelayMs, signWebhook } from './recall-fns.ts';

export interface OutboxDeps {
  db: Database;
  now: () => Date;
  /** Longest wait for an operator's endpoint. */
  timeoutMs?: number;
  /** First retry delay; doubled on every failure up to `retryCapMs`. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** A delivery that failed this often is given up (`dead`); the notice stays in the in-app inbox. */
  maxAttempts?: number;
}

/**
 * The sender of the webhook outbox. Rows were written in the transaction that created their notice, so none is
 * lost; a sender claims due rows under a lease (SKIP LOCKED, so concurrent senders never share one), POSTs each
 * with an HMAC signature and its idempotency key, and records the outcome only under its own claim. Only a crash
 * between an endpoint's answer and that record can repeat a POST — with the same `Idempotency-Key`, which the
 * receiver uses to keep it once.
 */
export function createOutboxSender(deps: OutboxDeps) {
  const { db, now } = deps;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const retryBaseMs = deps.retryBaseMs ?? 30_000;
  const retryCapMs = deps.retryCapMs ?? 3_600_000;
  const maxAttempts = deps.maxAttempts ?? 12;
  // Long enough that a live sender always records its outcome before another may take the row.
  const leaseMs = timeoutMs * 3;
  const later = (ms: number) => new Date(now().getTime() + ms);

  async function send(d: ClaimedDelivery): Promise<void> {
    const dal = recallDal(db.pool);
    if (d.revoked_at) {
      await dal.settleDelivery(d.id, d.claim, { status: 'dead', httpStatus: null, error: 'webhook revoked', nextAttempt: null, now: now() });
      return;
    }
    const body = JSON.stringify(d.payload);
    let httpStatus: number | null = null;
    let error: string;
    try {
      const res = await fetch(d.url, {
        method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json; charset=utf-8', 'user-agent': 'Suyuan-Webhook/1',
          'idempotency-key': d.idempotency_key, 'x-suyuan-event': String(d.payload.type), 'x-suyuan-attempt': String(d.attempts),
          'x-suyuan-signature': signWebhook(d.secret, Math.floor(now().getTime() / 1000), body),
        },
      });
      httpStatus = res.status;
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) {
        await dal.settleDelivery(d.id, d.claim, { status: 'delivered', httpStatus, error: null, nextAttempt: null, now: now() });
        return;
      }
      error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 500);
    }
    const dead = d.attempts >= maxAttempts;
    await dal.settleDelivery(d.id, d.claim, {
      status: dead ? 'dead' : 'pending', httpStatus, error, nextAttempt: dead ? null : later(retryDelayMs(d.attempts, retryBaseMs, retryCapMs)), now: now(),
    });
  }

  return {
    /** Sends the deliveries that are due, each once, in parallel; returns how many were attempted. */
    async dispatch(limit = 50): Promise<number> {
      const claimed = await recallDal(db.pool).claimDeliveries(now(), later(leaseMs), limit);
      await Promise.all(claimed.map(send));
      return claimed.length;
    },
  };
}
