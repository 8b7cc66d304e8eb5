import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * A merge that leaves `<<<<<<<` / `>>>>>>>` lines behind went unnoticed in PROTOCOL.md once (Markdown
 * renders them as text): every tracked text file is checked for them.
 */
describe('repository hygiene', () => {
  it('no tracked file contains merge-conflict markers', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
      .split('\0')
      .filter((f) => /\.(ts|tsx|js|mjs|json|md|sql|css|html|yml|yaml)$/.test(f) && !f.startsWith('node_modules/'));
    expect(files.length).toBeGreaterThan(100);
    const marked = files.filter((f) => /^(<<<<<<< |>>>>>>> )/m.test(readFileSync(f, 'utf8')));
    expect(marked).toEqual([]);
  });
});
