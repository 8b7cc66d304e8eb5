import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

const COMPRESSIBLE = /\.(js|css|html|svg|json|webmanifest|wasm)$/;

/**
 * Writes a Brotli (`.br`) and a gzip (`.gz`) copy beside every compressible file of the build, once,
 * at build time; the server sends them (`@fastify/static` `preCompressed`) to browsers that accept
 * the encoding. Brotli at quality 11 is too slow per request but fine once per build.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'liaison-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(outDir)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const raw = fs.readFileSync(file);
        if (raw.length < 1024) continue;
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(raw, { level: 9 }));
      }
    },
  };
}

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
  plugins: [precompress()],
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // libsodium (sumo, with its WebAssembly inlined) is most of the bundle; it loads lazily, once (issue 15 §9).
    chunkSizeWarningLimit: 2048,
    // dist/.vite/manifest.json: what the entry pulls in statically, for the bundle-size check (test/bench/web-bundle.ts).
    manifest: true,
    // The CSP forbids inline scripts: never inline the module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: path.join(here, 'index.html'), sw: path.join(here, 'src', 'sw', 'service-worker.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
        // A language other than English is one chunk (one request when the officer's language is, say, Arabic),
        // not one per namespace.
        manualChunks: (id) => {
          const lang = /\/i18n\/locales\/([a-z]{2})\//.exec(id)?.[1];
          return lang && lang !== 'en' ? `locale-${lang}` : null;
        },
      },
    },
  },
  server: { port: 5173, proxy: { '/api': 'http://127.0.0.1:8080', '/socket.io': { target: 'http://127.0.0.1:8080', ws: true } } },
});
