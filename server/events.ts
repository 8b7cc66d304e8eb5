import { EventEmitter } from 'node:events';
import type { DeskNotice } from '../shared/realtime.ts';
import type { RoutedFeedItem } from './feed/feed.ts';

/** In-process notifications between capabilities (e.g. revocations that must disconnect sockets at once). */
export interface DomainEvents {
  'sessions.revoked': [{ officerId: string; sessionIds: string[]; reason: string }];
  'officer.suspended': [{ officerId: string }];
  /** A committed feed item: realtime delivers it to the channel room or to its recipient. */
  'feed.appended': [RoutedFeedItem];
  /** Membership spans changed (verified event applied, access revoked): realtime moves sockets. */
  'channel.members_changed': [{ channelId: string; added: string[]; removed: string[] }];
  /** A desk request arrived or was claimed (committed): realtime tells the desk's people's sockets. */
  'desk.notice': [{ officerIds: string[]; notice: DeskNotice }];
}

export class DomainEventBus extends EventEmitter<DomainEvents> {}
