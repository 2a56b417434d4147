import pg from 'pg';

/** Anything that can run a query: the pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Runs `fn` in one transaction; commits on success, rolls back on any throw. */
export type TxRunner = <T>(fn: (q: Queryable) => Promise<T>) => Promise<T>;

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
  const tx: TxRunner = async (fn) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
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

/** True when a pg error is a unique violation (optionally on the named constraint). */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && (!constraint || err.constraint === constraint);
}
