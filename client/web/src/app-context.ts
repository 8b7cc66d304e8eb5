import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AppSession } from './state/session.ts';
import type { ChatData } from './state/chat.ts';
import { useObservable } from './state/observable.ts';

export const SessionContext = createContext<AppSession | null>(null);

export function useSession(): AppSession {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession: no SessionContext provider');
  return s;
}

/** The unlocked data layer; screens that need it render only while unlocked. */
export function useChat(): ChatData {
  const chat = useObservable(useSession().chat);
  if (!chat) throw new Error('useChat: keys are locked');
  return chat;
}
