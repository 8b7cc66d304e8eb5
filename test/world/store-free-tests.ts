import fs from 'node:fs';
import path from 'node:path';

/**
 * Test files that never open a store (pure crypto, vectors, codecs, web view logic): the PostgreSQL run
 * (vitest.postgres.config.ts) leaves them to `npm test`, where they already run, since the engine
 * cannot change their outcome. test/foundation/postgres-matrix.test.ts checks every entry: no import
 * chain from it reaches the store, the composition root or a child process. Every other test file
 * runs on both engines.
 */
export const STORE_FREE_TESTS: readonly string[] = [
  'test/audit/builders.test.ts',
  'test/crypto/attachment.test.ts',
  'test/crypto/backup.test.ts',
  'test/crypto/channel-meta.test.ts',
  'test/crypto/channel-state.test.ts',
  'test/crypto/codes.test.ts',
  'test/crypto/desk-intake.test.ts',
  'test/crypto/envelope.test.ts',
  'test/crypto/epoch.test.ts',
  'test/crypto/key-log.test.ts',
  'test/crypto/misc.test.ts',
  'test/crypto/native-differential.test.ts',
  'test/crypto/payload-spec.test.ts',
  'test/crypto/site-address.test.ts',
  'test/crypto/vectors.browser.test.ts',
  'test/crypto/vectors.test.ts',
  'test/crypto/wire-canonical.test.ts',
  'test/crypto/wire-spec.test.ts',
  'test/desks/rota.test.ts',
  'test/directory/availability.test.ts',
  'test/directory/fts-query.test.ts',
  'test/realtime/realtime-expiry.test.ts',
  'test/sdk/emitter-store.test.ts',
  'test/sdk/feed-order.test.ts',
  'test/sdk/pins.test.ts',
  'test/sdk/retry-send.test.ts',
  'test/web/alerting-desks.test.ts',
  'test/web/code-picker.test.ts',
  'test/web/codes-stats.test.ts',
  'test/web/composer.test.ts',
  'test/web/contact-people.test.ts',
  'test/web/desk-details.test.ts',
  'test/web/desk-inbox.test.ts',
  'test/web/device-name.test.ts',
  'test/web/i18n.test.ts',
  'test/web/idle.test.ts',
  'test/web/outbox.test.ts',
  'test/web/retention.test.ts',
  'test/web/pages.test.ts',
  'test/web/reachability.test.ts',
  'test/web/requests.test.ts',
  'test/web/ui-logic.test.ts',
];

/** Modules whose reach means a test may open a store: the store itself, the composition root, child processes (CLI, demo). */
const OPENS_A_STORE = [/(^|\/)server\/store\//, /(^|\/)server\/(app|context)\.ts$/, /^(node:)?child_process$/, /^(node:)?worker_threads$/];

/** Module specifiers of every import / export-from / dynamic import in a source file. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

function resolveRelative(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((p) => fs.existsSync(p) && fs.statSync(p).isFile()) ?? base;
}

/**
 * The modules (paths relative to `root`, or bare specifiers) a test file reaches through imports that
 * open a store, start the app or a child process; empty for a store-free file.
 */
export function storeReach(root: string, file: string): string[] {
  const seen = new Set<string>();
  const hits = new Set<string>();
  const visit = (abs: string) => {
    if (seen.has(abs)) return;
    seen.add(abs);
    for (const spec of specifiers(fs.readFileSync(abs, 'utf8'))) {
      if (!spec.startsWith('.')) {
        if (OPENS_A_STORE.some((re) => re.test(spec))) hits.add(spec);
        continue;
      }
      const target = resolveRelative(abs, spec);
      const rel = path.relative(root, target).split(path.sep).join('/');
      if (OPENS_A_STORE.some((re) => re.test(rel))) hits.add(rel);
      else if (fs.existsSync(target)) visit(target);
    }
  };
  visit(path.resolve(root, file));
  return [...hits].sort();
}
