import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STORE_FREE_TESTS, storeReach } from '../world/store-free-tests.ts';
import postgresConfig from '../../vitest.postgres.config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('PostgreSQL matrix (npm run test:postgres)', () => {
  it('leaves out only test files that never open a store', () => {
    for (const file of STORE_FREE_TESTS) {
      expect(fs.existsSync(path.join(ROOT, file)), `${file} is listed but does not exist`).toBe(true);
      expect(storeReach(ROOT, file), `${file} reaches a store, the app or a child process: it must run on PostgreSQL too`).toEqual([]);
    }
    expect(new Set(STORE_FREE_TESTS).size).toBe(STORE_FREE_TESTS.length);
  });

  it('the check sees a store behind a test file that builds an app, even through helpers', () => {
    expect(storeReach(ROOT, 'test/messages/send.test.ts')).toContain('server/app.ts');
    expect(storeReach(ROOT, 'test/foundation/cli.test.ts')).toContain('node:child_process');
  });

  it('the PostgreSQL config excludes exactly that list, plus what npm test excludes, and includes test/browser', () => {
    const exclude = postgresConfig.test?.exclude ?? [];
    expect(exclude).toEqual(expect.arrayContaining([...STORE_FREE_TESTS, 'test/faults/**', 'test/cluster/**']));
    expect(exclude.filter((e: string) => !STORE_FREE_TESTS.includes(e))).toEqual(['test/faults/**', 'test/cluster/**', 'node_modules/**']);
    expect(postgresConfig.test?.include).toEqual(['test/**/*.test.ts']);
  });
});
