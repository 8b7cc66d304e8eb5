import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { build as viteBuild } from 'vite';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIST = path.join(REPO_ROOT, 'client', 'web', 'dist');
export const WEB_CONFIG = path.join(REPO_ROOT, 'client', 'web', 'vite.config.ts');
/** Everything the bundle is made from: a change to any file here makes the build stale. */
const SOURCES = ['client/web/src', 'client/web/public', 'client/web/index.html', 'client/web/vite.config.ts', 'client/sdk', 'shared'];

export type WebBuildState = { state: 'fresh' } | { state: 'missing' } | { state: 'stale'; newer: string };

function newestFile(p: string): { file: string; mtimeMs: number } | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    return null;
  }
  if (!stat.isDirectory()) return { file: p, mtimeMs: stat.mtimeMs };
  let best: { file: string; mtimeMs: number } | null = null;
  for (const name of fs.readdirSync(p)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const n = newestFile(path.join(p, name));
    if (n && (!best || n.mtimeMs > best.mtimeMs)) best = n;
  }
  return best;
}

/** Is `client/web/dist` missing, or older than any source file of the web app, the SDK or `shared/`? */
export function webBuildState(root = REPO_ROOT): WebBuildState {
  const index = path.join(root, 'client', 'web', 'dist', 'index.html');
  if (!fs.existsSync(index)) return { state: 'missing' };
  const builtAt = fs.statSync(index).mtimeMs;
  for (const src of SOURCES) {
    const n = newestFile(path.join(root, src));
    if (n && n.mtimeMs > builtAt) return { state: 'stale', newer: path.relative(root, n.file) };
  }
  return { state: 'fresh' };
}

export type EnsureResult = 'fresh' | 'built' | 'unavailable';

/**
 * Builds the web app with Vite when the build is missing or stale. Vite is a dev dependency: on a
 * production install without it, returns 'unavailable' (the caller says how to build) instead of failing.
 */
export async function ensureWebBuild(log: (line: string) => void = console.log): Promise<EnsureResult> {
  const state = webBuildState();
  if (state.state === 'fresh') return 'fresh';
  let build: typeof viteBuild;
  try {
    ({ build } = await import('vite'));
  } catch {
    return 'unavailable';
  }
  const started = Date.now();
  log(state.state === 'missing' ? 'liaison: building the web app (first start)…' : `liaison: rebuilding the web app (${state.newer} changed)…`);
  await build({ configFile: WEB_CONFIG, logLevel: 'warn' });
  log(`liaison: web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}
