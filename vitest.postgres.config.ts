import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:postgres`: the whole suite with STORE=postgres (each test app on a fresh schema of
 * DATABASE_URL), its own JSON report, and a global setup that drops schemas a crashed run left behind.
 */
const config = mergeConfig(base, defineConfig({ test: { globalSetup: ['test/world/pg-global-setup.ts'] } }));
// Replaced, not merged (mergeConfig would append to the base's reporters and write both reports).
config.test!.reporters = ['default', ['json', { outputFile: '.tmp/vitest-postgres-report.json' }]];
export default config;
