import { ConfigError, loadConfig } from './config.ts';
import { serve } from './serve.ts';
import { ensureWebBuild, webBuildState } from './web/build.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`liaison: configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  // The web app is served from its Vite build: (re)build it first when missing or stale.
  let web: Awaited<ReturnType<typeof ensureWebBuild>>;
  try {
    web = await ensureWebBuild();
  } catch (err) {
    // A broken build must not take the API down: report it and serve what is there.
    console.error('liaison: building the web app failed:', err instanceof Error ? err.message : err);
    web = 'unavailable';
  }
  const app = await serve(config);
  const initialised = await app.ctx.accounts.hasOfficers();
  const lines = [
    '',
    `Liaison is listening on ${config.publicUrl}  (data in ${config.dataDir})`,
    `API docs: ${config.publicUrl}/docs`,
  ];
  if (web === 'unavailable') {
    lines.push(
      '',
      webBuildState().state === 'missing'
        ? 'The web app is not built (and could not be built here: is Vite installed?). Build it where the dev'
        : 'The web app build is older than its sources and could not be rebuilt here. Build it where the dev',
      'dependencies are installed with `npx vite build --config client/web/vite.config.ts` and copy client/web/dist here.',
      'The API is served either way.',
    );
  } else {
    lines.push(`Web app: ${config.publicUrl}/`);
  }
  if (!initialised) {
    lines.push(
      '',
      'First run: this data directory has no administrator yet. In another terminal run:',
      '',
      '    npm run liaison -- init',
      '',
      'It creates the first platform administrator and prints a one-time enrolment link.',
    );
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  console.error('liaison: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
