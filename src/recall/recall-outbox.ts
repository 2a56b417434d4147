import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Database } from '../platform/db.ts';
import { recallDal, type ClaimedDelivery } from './recall-dal.ts';
import { isPrivateAddress, retryDelayMs, signWebhook } from './recall-fns.ts';

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
  /** Whether endpoints may be on private addresses (a closed network's own receivers); refused by default. */
  allowPrivate?: boolean;
  /** Name resolution (tests give their own); every address it answers is checked before connecting. */
  lookup?: LookupFunction;
}

/**
 * POSTs a body and answers the HTTP status, following no redirect. Name resolution goes through `lookup`, which
 * refuses private addresses: the URL was checked at registration, but a name can resolve elsewhere later (DNS
 * rebinding), and the address checked is the one connected to.
 */
function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, lookup: LookupFunction, allowPrivate: boolean): Promise<number> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isPrivateAddress(host)) return Promise.reject(new Error(`WEBHOOK_ADDRESS_PRIVATE: ${host}`));
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, signal: AbortSignal.timeout(timeoutMs),
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
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
  const allowPrivate = deps.allowPrivate ?? false;
  const resolve = deps.lookup ?? (dns.lookup as LookupFunction);
  const lookup: LookupFunction = (hostname, options, callback) => resolve(hostname, options, (err, address, family) => {
    if (err) return callback(err, address, family);
    const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
    const refused = allowPrivate ? undefined : addresses.find(isPrivateAddress);
    if (refused) return callback(Object.assign(new Error(`WEBHOOK_ADDRESS_PRIVATE: ${hostname} resolves to ${refused}`), { code: 'WEBHOOK_ADDRESS_PRIVATE' }), address, family);
    callback(null, address, family);
  });

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
      httpStatus = await post(new URL(d.url), {
        'content-type': 'application/json; charset=utf-8', 'user-agent': 'Suyuan-Webhook/1',
        'idempotency-key': d.idempotency_key, 'x-suyuan-event': String(d.payload.type), 'x-suyuan-attempt': String(d.attempts),
        'x-suyuan-signature': signWebhook(d.secret, Math.floor(now().getTime() / 1000), body),
      }, body, timeoutMs, lookup, allowPrivate);
      if (httpStatus >= 200 && httpStatus < 300) {
        await dal.settleDelivery(d.id, d.claim, { status: 'delivered', httpStatus, error: null, nextAttempt: null, now: now() });
        return;
      }
      error = `HTTP ${httpStatus}`;
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
