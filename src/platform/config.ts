import { z } from 'zod';
import path from 'node:path';

/** Configuration, parsed and validated once at start-up from the environment and CLI flags. */
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.string().url().optional(),
  SUYUAN_DATA_DIR: z.string().default('data'),
  /** Three characters of the code alphabet naming this platform node inside every trace code. */
  SUYUAN_NODE_ID: z.string().regex(/^[0-9A-HJ-NP-RTUWXY]{3}$/, 'three characters of the code alphabet').default('350'),
  SUYUAN_NODE_NAME: z.string().default('福建省食品追溯平台 (Suyuan demo node)'),
  SUYUAN_ADMIN_PASSWORD: z.string().min(8).optional(),
  SUYUAN_SESSION_SECRET: z.string().min(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Most events one EPCIS capture may carry (advertised as GS1-EPCIS-Capture-Limit). */
  SUYUAN_EPCIS_CAPTURE_LIMIT: z.coerce.number().int().min(1).default(10_000),
  /** Largest EPCIS capture body in bytes (advertised as GS1-EPCIS-Capture-File-Size-Limit). */
  SUYUAN_EPCIS_CAPTURE_FILE_SIZE_LIMIT: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
  /** Minutes between scheduled risk-rule runs offered by each server process (one runs, by lease); 0 leaves them to `suyuan risk run`. */
  SUYUAN_RISK_SCHEDULE_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
  /** Admit recall webhooks on plain http and private or loopback addresses (closed networks, tests); off by default. */
  SUYUAN_WEBHOOK_ALLOW_PRIVATE: z.stringbool().default(false),
});

export type Config = z.infer<typeof schema> & { dataDir: string; publicUrl: string };

/** Parses the environment (plus overrides from the CLI) into a Config, failing loudly on bad values. */
export function loadConfig(overrides: Record<string, string | number | undefined> = {}): Config {
  const env: Record<string, unknown> = { ...process.env };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) env[k] = v;
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`配置错误 / invalid configuration:\n${lines}`);
  }
  const c = parsed.data;
  return {
    ...c,
    dataDir: path.resolve(c.SUYUAN_DATA_DIR),
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
  };
}
