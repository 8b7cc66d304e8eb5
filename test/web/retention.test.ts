/**
 * Client-side retention's schedule (client/web/src/state/retention.ts). The browser test
 * (test/browser/retention.test.ts) failed once in CI: at unlock the channel list was still loading (a
 * newer refresh had superseded the first), so the unlock's sweep saw no channel and the expired message
 * stayed until the next hourly sweep. A sweep now also runs when the list shows what no sweep has seen.
 */
import { describe, expect, it } from 'vitest';
import { Observable } from '../../client/web/src/state/observable.ts';
import { startRetention } from '../../client/web/src/state/retention.ts';
import type { ChatData } from '../../client/web/src/state/chat.ts';

interface Channel {
  id: string;
  retentionDays: number;
  legalHold: boolean;
}

function fakeChat() {
  const channels = new Observable<Channel[]>([]);
  const forgotten: string[] = [];
  const chat = {
    channels,
    client: {
      forgetMessagesBefore: async (channelId: string) => {
        forgotten.push(channelId);
        return [];
      },
    },
    search: { removeBefore: async () => {} },
    messagesOf: () => new Observable<{ sentAt: number }[]>([]),
  } as unknown as ChatData;
  return { chat, channels, forgotten };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('client-side retention: when it sweeps', () => {
  it('sweeps a channel listed after the unlock, again when its retention changes, and not for an unchanged list', async () => {
    const { chat, channels, forgotten } = fakeChat();
    const stop = startRetention(chat);
    await settle();
    expect(forgotten).toEqual([]); // nothing listed yet at unlock

    channels.set([{ id: 'short', retentionDays: 1, legalHold: false }]);
    await settle();
    expect(forgotten).toEqual(['short']);

    channels.set([{ id: 'short', retentionDays: 1, legalHold: false }]); // the same list refreshed
    await settle();
    expect(forgotten).toEqual(['short']);

    channels.set([{ id: 'short', retentionDays: 1, legalHold: false }, { id: 'long', retentionDays: 30, legalHold: false }]);
    await settle();
    expect(forgotten).toEqual(['short', 'short', 'long']);

    channels.set([{ id: 'short', retentionDays: 2, legalHold: false }]); // its retention changed
    await settle();
    expect(forgotten).toEqual(['short', 'short', 'long', 'short']);

    stop();
    channels.set([{ id: 'short', retentionDays: 3, legalHold: false }]);
    await settle();
    expect(forgotten).toHaveLength(4);
  });
});
