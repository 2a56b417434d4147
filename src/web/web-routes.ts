import fs from 'node:fs';
import { EVERYONE } from '../accounts/actor.ts';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { App } from '../platform/http.ts';
import { sendProblem } from '../platform/http.ts';


/** Where `npm run build:web` puts the web application. */
export const WEB_ROOT = path.resolve(import.meta.dirname, '../../dist/web');

const pages = new Map<string, { mtimeMs: number; text: string }>();

/**
 * A built page (dist/web/index.html or scan.html), or null when the UI is not built. Read once and kept; a stat per
 * call notices a rebuild (the build swaps dist/web in whole), so a scan does not read the template from disk each time.
 */
export function readWebFile(name: 'index.html' | 'scan.html', root = WEB_ROOT): string | null {
  const file = path.join(root, name);
  let mtimeMs: number;
  try { mtimeMs = fs.statSync(file).mtimeMs; } catch { pages.delete(file); return null; }
  const hit = pages.get(file);
  if (hit?.mtimeMs === mtimeMs) return hit.text;
  const text = fs.readFileSync(file, 'utf8');
  pages.set(file, { mtimeMs, text });
  return text;
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

  const page = (_req: unknown, reply: FastifyReply) => {
    const html = readWebFile('index.html', root);
    if (html === null) {
      return sendProblem(reply, 503, 'WEB_NOT_BUILT', '网页界面尚未构建：请运行 npm run build:web', 'The web UI is not built: run npm run build:web');
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  for (const url of ['/', '/login', '/register', '/op', '/op/*', '/reg', '/reg/*', '/admin', '/admin/*']) {
    app.get(url, { config: { allow: EVERYONE }, schema: { hide: true } }, page);
  }
}
