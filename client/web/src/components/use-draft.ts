import { useEffect, useRef } from 'preact/hooks';
import { useChat } from '../app-context.ts';

/**
 * Drafts per channel: the composer's text is kept in ChatData.drafts (memory only, while unlocked; never
 * written to the browser's storage) and comes back when the officer returns to the channel.
 */
export function useDraft(channelId: string, text: string, setText: (text: string) => void): void {
  const chat = useChat();
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (shown.current !== channelId) {
      // First render for this channel: show its draft (another channel's text is not carried over).
      shown.current = channelId;
      const draft = chat.drafts.get(channelId) ?? '';
      if (draft !== text) setText(draft);
      return;
    }
    if (text) chat.drafts.set(channelId, text);
    else chat.drafts.delete(channelId);
  }, [channelId, text]);
}
