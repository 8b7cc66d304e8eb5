import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';
import { STORE_FREE_TESTS } from './test/world/store-free-tests.ts';

/**
 * `npm run test:postgres`: the whole suite with STORE=postgres (each test app on a fresh schema of
 * DATABASE_URL), its own JSON report, and a global setup that drops schemas a crashed run left behind.
 * Test files that never open a store (test/world/store-free-tests.ts, checked by
 * test/foundation/postgres-matrix.test.ts) are left to `npm test`; every other file runs on both engines.
 */
const config = mergeConfig(base, defineConfig({ test: { globalSetup: ['test/world/pg-global-setup.ts'] } }));
config.test!.exclude = [...(base.test?.exclude ?? []), ...STORE_FREE_TESTS];
// Replaced, not merged (mergeConfig would append to the base's reporters and write both reports).
config.test!.reporters = ['default', ['json', { outputFile: '.tmp/vitest-postgres-report.json' }]];
export default config;
