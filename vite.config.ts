import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The web application: `web/index.html` is the signed-in workbench (operator, regulator, admin);
// `web/scan.html` is the consumer page a QR code opens, kept as a separate, small entry.
// Built into dist/web and served by the same Fastify server (src/web/web-routes.ts).
export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1500,
    // No modulepreload polyfill: browsers without modulepreload just skip the hint, and the shared polyfill chunk
    // would be one more request (and a <link>) on the consumer page, which needs nothing from the workbench.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { main: 'web/index.html', scan: 'web/scan.html' },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/t': 'http://127.0.0.1:3000', '/geo': 'http://127.0.0.1:3000' } },
});
