// `npm run build:web`: builds the web application with Vite into dist/web, then writes .br and .gz twins of every
// text asset so the server can send them pre-compressed (@fastify/static preCompressed) to slow phones.
import { build } from 'vite';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
const out = path.join(root, 'dist/web');
let files = 0;
for (const name of fs.readdirSync(path.join(out, 'assets'))) {
  if (!/\.(js|css|svg|json|html)$/.test(name)) continue;
  const p = path.join(out, 'assets', name);
  const buf = fs.readFileSync(p);
  fs.writeFileSync(`${p}.br`, zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
  fs.writeFileSync(`${p}.gz`, zlib.gzipSync(buf, { level: 9 }));
  files++;
}
console.log(`web built into ${path.relative(root, out)} (${files} assets pre-compressed)`);
