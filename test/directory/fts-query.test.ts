import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../server/directory/cursor.ts';
import { ftsMatchQuery } from '../../server/directory/fts-query.ts';

describe('ftsMatchQuery', () => {
  it('quotes every word and keeps no operator syntax', () => {
    expect(ftsMatchQuery('darknet desk')).toBe('"darknet"* "desk"*');
    expect(ftsMatchQuery('a OR b')).toBe('"a" "or"* "b"');
    expect(ftsMatchQuery('NEAR(x y, 2) title:"drug* ^z')).toBe('"near"* "x" "y" "2" "title"* "drug"* "z"');
    expect(ftsMatchQuery('Polícia Judiciária')).toBe('"polícia"* "judiciária"*');
  });

  it('returns null (no text filter) when there are no words', () => {
    for (const q of [undefined, '', '   ', '"', '*', '()', '"*" -:^']) expect(ftsMatchQuery(q)).toBeNull();
  });

  it('bounds the query: 8 distinct words of at most 64 characters', () => {
    const q = ftsMatchQuery(`${'w'.repeat(100)} a a b c d e f g h i j`)!;
    expect(q.split(' ')).toHaveLength(8);
    expect(q.startsWith(`"${'w'.repeat(64)}"*`)).toBe(true);
  });
});

describe('search cursor', () => {
  it('round-trips and refuses anything else', () => {
    const c = { asOf: 1, filters: 'abc', after: [1, 'PT', 'Agency', 'Title', 'id'] as [1, string, string, string, string] };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    for (const bad of ['', '!!', Buffer.from('{}').toString('base64url'), Buffer.from('[1,1,"f",2,"a","b","c","d"]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(/cursor/i);
    }
  });
});
