import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Fault, load and fuzz suites (`npm run test:faults`): real server processes on loopback, bounded in count and time. */
export default defineConfig({
  test: {
    // The repository root, resolved from this file (a relative root resolves against the cwd).
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-faults-report.json' }]],
  },
});
