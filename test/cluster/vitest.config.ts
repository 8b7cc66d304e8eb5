import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The cluster suite (`npm run test:cluster`): three server processes on one PostgreSQL schema behind a loopback balancer. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-cluster-report.json' }]],
  },
});
