import { pino, type Logger } from 'pino';

/** Paths that must never reach a log line. */
export const redactPaths = [
  'password', '*.password', 'req.headers.authorization', 'req.headers["x-api-key"]', 'token', '*.token',
  'secret', '*.secret', 'apiKey', '*.apiKey', 'body.password',
];

/** One structured logger for the process; secrets are redacted by path. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' } });
}
export type { Logger };
