import type { Config } from '../platform/config.ts';
import { openDatabase, type Database } from '../platform/db.ts';
import { startEmbedded, type EmbeddedServer } from '../platform/embedded-pg.ts';
import { migrate } from '../platform/migrate.ts';
import path from 'node:path';

/** An open, migrated database: the configured DATABASE_URL, or the embedded server under the data dir. */
export interface Store { db: Database; embedded?: EmbeddedServer; close(): Promise<void> }

export async function openStore(config: Config, log: (m: string) => void = () => {}): Promise<Store> {
  let embedded: EmbeddedServer | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    log(`starting embedded PostgreSQL in ${path.join(config.dataDir, 'pg')}`);
    embedded = await startEmbedded(config.dataDir);
    url = embedded.url();
  }
  const db = openDatabase(url);
  try {
    await migrate(db.pool, log);
  } catch (e) {
    await db.close();
    await embedded?.stop();
    throw e;
  }
  return {
    db, embedded,
    async close() {
      await db.close();
      await embedded?.stop();
    },
  };
}
