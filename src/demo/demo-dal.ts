import type { Queryable } from '../platform/db.ts';

/** The node setting that says the demo chain has been seeded; its value is the DemoMarker as JSON. */
const MARKER_KEY = 'demo_seeded';

/** What the marker remembers: when the demo was seeded and codes worth scanning. */
export interface DemoMarker { seededAt: string; sampleCodes: { label: string; code: string }[] }

/** Data access for the demo: its marker in node_settings, and whether the node holds any operator yet. */
export function demoDal(q: Queryable) {
  return {
    async marker(): Promise<DemoMarker | undefined> {
      const v = (await q.query<{ value: string }>('SELECT value FROM node_settings WHERE key = $1', [MARKER_KEY])).rows[0]?.value;
      return v === undefined ? undefined : (JSON.parse(v) as DemoMarker);
    },
    /**
     * Sets the marker unless it exists; false when it does. Inside a transaction a concurrent seeder waits
     * here until the first one commits or rolls back.
     */
    async claim(m: DemoMarker): Promise<boolean> {
      const r = await q.query('INSERT INTO node_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key', [MARKER_KEY, JSON.stringify(m)]);
      return r.rowCount === 1;
    },
    async update(m: DemoMarker): Promise<void> {
      await q.query('UPDATE node_settings SET value = $2 WHERE key = $1', [MARKER_KEY, JSON.stringify(m)]);
    },
    async hasOperators(): Promise<boolean> {
      return (await q.query('SELECT 1 FROM operators LIMIT 1')).rowCount === 1;
    },
  };
}
