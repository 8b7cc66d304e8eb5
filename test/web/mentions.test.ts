/**
 * The composer's "@" mentions (PROTOCOL.md §9.3 **Mentions**, components/mentions.tsx) and the content-free desktop
 * notification that says the officer was mentioned (lib/desktop-notify.ts).
 */
import { describe, expect, it } from 'vitest';
import { insertMention, mentionQuery, mentionsIn } from '../../client/web/src/components/mentions.tsx';
import { notificationBody } from '../../client/web/src/lib/desktop-notify.ts';

describe('mentions in the composer', () => {
  it('finds the "@" word that ends at the caret, not an address or a finished word', () => {
    expect(mentionQuery('@', 1)).toBe('');
    expect(mentionQuery('hello @Bo', 9)).toBe('Bo');
    expect(mentionQuery('hello @Bo there', 9)).toBe('Bo');
    expect(mentionQuery('hello @Bob there', 16)).toBeNull();
    expect(mentionQuery('mail bob@example.org', 20)).toBeNull();
    expect(mentionQuery('no mention', 10)).toBeNull();
  });

  it('replaces the typed "@query" by the full name and puts the caret after it', () => {
    expect(insertMention('ask @Bo', 7, 'Bob Ruiz')).toEqual({ text: 'ask @Bob Ruiz ', caret: 14 });
    expect(insertMention('@al and more', 3, 'Alice Costa')).toEqual({ text: '@Alice Costa  and more', caret: 13 });
  });

  it('lists the officers named as "@Name", each once; "@Ann Lee" does not also mention Ann', () => {
    const people = [
      { id: 'ann', name: 'Ann' },
      { id: 'ann-lee', name: 'Ann Lee' },
      { id: 'bob', name: 'Bob Ruiz' },
    ];
    expect(mentionsIn('@Ann Lee and @Bob Ruiz, @Bob Ruiz again', people).sort()).toEqual(['ann-lee', 'bob']);
    expect(mentionsIn('@Ann and @Ann Lee', people).sort()).toEqual(['ann', 'ann-lee']);
    expect(mentionsIn('Bob Ruiz without an at sign', people)).toEqual([]);
    expect(mentionsIn('@Bob alone', people)).toEqual([]);
  });
});

describe('desktop notification text', () => {
  it('says the officer was mentioned, still with the channel title only', () => {
    expect(notificationBody('Operation Harbour')).toBe('New message in Operation Harbour');
    expect(notificationBody('Operation Harbour', true)).toBe('You were mentioned in Operation Harbour');
    expect(notificationBody(null, true)).toBe('You were mentioned in a message');
  });
});
