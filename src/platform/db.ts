import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';

/** Anything that can run a query: the pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  query<R extends pg.QueryResultRow = any>(statement: Prepared): Promise<pg.QueryResult<R>>;
}

/** A statement to run as a named (prepared) one. */
export interface Prepared { name: string; text: string; values: unknown[] }

const statementNames = new Map<string, string>();

/**
 * A hot statement as a named one: each connection plans it once instead of on every call (planning a join of
 * several tables costs more than running it on a few keys). Names are per process, one per distinct text.
 */
export function prepared(text: string, values: unknown[]): Prepared {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `suyuan_${statementNames.size + 1}`));
  return { name, text, values };
}

/** Characteristics a transaction can open with: BEGIN sets them, saving a SET TRANSACTION round trip. */
export type TxMode = 'ISOLATION LEVEL REPEATABLE READ' | 'ISOLATION LEVEL REPEATABLE READ, READ ONLY';

/** Runs `fn` in one transaction; commits on success, rolls back on any throw. */
export type TxRunner = <T>(fn: (q: Queryable) => Promise<T>, mode?: TxMode) => Promise<T>;

export interface Database {
  pool: pg.Pool;
  tx: TxRunner;
  close(): Promise<void>;
}

// Return BIGINT/NUMERIC as strings (pg default) but DATE as plain 'YYYY-MM-DD' strings, not JS Dates in local time.
pg.types.setTypeParser(1082, (v: string) => v);

/** Opens a connection pool for the given URL. */
export function openDatabase(url: string, max = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => { /* idle client errors surface on next use */ });
  const tx: TxRunner = async (fn, mode) => {
    const client = await pool.connect();
    try {
      await client.query(mode ? `BEGIN ${mode}` : 'BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  };
  return { pool, tx, close: () => pool.end() };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the text is a UUID: what a `uuid` parameter accepts (anything else makes PostgreSQL refuse the query). */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** True when a pg error is a unique violation (optionally on the named constraint). */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && (!constraint || err.constraint === constraint);
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;

/** One field in COPY's text format: backslash, newline, carriage return and tab escaped; null is \N. */
export function copyField(v: string | null): string {
  if (v === null) return '\\N';
  // Most fields (hash IDs, codes, JSON without escapes) have nothing to escape: one scan, no new string.
  return NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, (c) => COPY_ESCAPES[c]) : v;
}

/**
 * Streams rows in COPY's text format (`copyField` each field, tab-separated, one row per line; given whole, or as
 * chunks of whole lines) into a table with `COPY … FROM STDIN`. Only inside a transaction: `q` must be a client.
 */
export async function copyIn(q: Queryable, sql: string, text: string | Iterable<string>): Promise<void> {
  // The client runs a COPY stream as a query; a timed wrapper (bench/clock.ts) may hand it back in a promise.
  const stream = await (q as unknown as { query(s: unknown): unknown }).query(copyFrom(sql)) as NodeJS.WritableStream;
  // Chunks are pulled as the server takes them: building the next overlaps the server's work on the last.
  await pipeline(Readable.from(typeof text === 'string' ? [text] : text), stream);
}
