import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The web app: Preact through esbuild's automatic JSX runtime, everything bundled (no CDN, no inline scripts).
 * Two entries: the page (`index.html`) and the service worker, emitted unhashed at `/sw.js` (its URL is
 * its identity, and its scope is the directory it is served from). `public/` (manifest, icons) is copied as is.
 */
export default defineConfig({
  root: here,
  base: '/',
  publicDir: path.join(here, 'public'),
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // libsodium (sumo, with its WebAssembly inlined) is most of the bundle; it loads once.
    chunkSizeWarningLimit: 2048,
    // The CSP forbids inline scripts: never inline the module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: path.join(here, 'index.html'), sw: path.join(here, 'src', 'sw', 'service-worker.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  server: { port: 5173, proxy: { '/api': 'http://127.0.0.1:8080', '/socket.io': { target: 'http://127.0.0.1:8080', ws: true } } },
});
