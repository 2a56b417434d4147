import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { App } from '../platform/http.ts';
import { sendProblem } from '../platform/http.ts';

const EVERYONE = ['public', 'platform-admin', 'regulator', 'operator-admin', 'operator-staff', 'printer'] as const;

/** Where `npm run build:web` puts the web application. */
export const WEB_ROOT = path.resolve(import.meta.dirname, '../../dist/web');

/** The built consumer page template (web/scan.html after the build), or null when the UI is not built. */
export function readWebFile(name: 'index.html' | 'scan.html'): string | null {
  try { return fs.readFileSync(path.join(WEB_ROOT, name), 'utf8'); } catch { return null; }
}

/**
 * Serves the built web application: hashed assets (immutable, pre-compressed .br/.gz when the build made them) and
 * index.html for the workbench's client-side routes. API paths are never shadowed: only the prefixes below serve pages.
 */
export async function webRoutes(app: App, opts: { root?: string } = {}) {
  const root = opts.root ?? WEB_ROOT;
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  app.get('/assets/*', { config: { allow: EVERYONE }, schema: { hide: true } }, (req, reply) => {
    const file = (req.params as { '*': string })['*'];
    return reply.sendFile(path.join('assets', file), root, { immutable: true, maxAge: 365 * 24 * 3600 * 1000 });
  });

  const page = (_req: unknown, reply: any) => {
    if (!fs.existsSync(path.join(root, 'index.html'))) {
      return sendProblem(reply, 503, 'WEB_NOT_BUILT', '网页界面尚未构建：请运行 npm run build:web', 'The web UI is not built: run npm run build:web');
    }
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', root);
  };
  for (const url of ['/', '/login', '/register', '/op', '/op/*', '/reg', '/reg/*', '/admin', '/admin/*']) {
    app.get(url, { config: { allow: EVERYONE }, schema: { hide: true } }, page);
  }
}
