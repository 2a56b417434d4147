// `npm run build:web`: builds the web application with Vite into dist/web, then writes .br and .gz twins of every
// text asset so the server can send them pre-compressed (@fastify/static preCompressed) to slow phones.
// The build goes to a fresh folder that replaces dist/web by renames, so a running server or browser test never
// sees a half-written (or emptied) dist/web.
import { build } from 'vite';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist/web');
const next = path.join(root, `dist/web.next-${process.pid}`);
await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: next, emptyOutDir: true } });
let files = 0;
for (const name of fs.readdirSync(path.join(next, 'assets'))) {
  if (!/\.(js|css|svg|json|html)$/.test(name)) continue;
  const p = path.join(next, 'assets', name);
  const buf = fs.readFileSync(p);
  fs.writeFileSync(`${p}.br`, zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
  fs.writeFileSync(`${p}.gz`, zlib.gzipSync(buf, { level: 9 }));
  files++;
}
const old = path.join(root, `dist/web.old-${process.pid}`);
if (fs.existsSync(out)) fs.renameSync(out, old);
fs.renameSync(next, out);
fs.rmSync(old, { recursive: true, force: true });
console.log(`web built into ${path.relative(root, out)} (${files} assets pre-compressed)`);
