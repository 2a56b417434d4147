import type { Command } from 'commander';
import { loadConfig, type Config } from '../platform/config.ts';
import { openStore, type Store } from '../app/runtime.ts';

// Kept apart from main.ts so that command modules can use these without importing (and so running) the CLI entry point.

/** Loads config with the global --data flag and any per-command overrides. */
export function configFrom(cmd: Command, overrides: Record<string, string | number | undefined> = {}): Config {
  const g = cmd.optsWithGlobals();
  return loadConfig({ SUYUAN_DATA_DIR: g.data, ...overrides });
}

/** Opens the store, runs `fn`, and always closes the store (stopping an embedded server) afterwards. */
export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config, (m) => console.error(m));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
