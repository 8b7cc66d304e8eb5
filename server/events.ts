import { EventEmitter } from 'node:events';

/** In-process notifications between capabilities (e.g. revocations that must disconnect sockets at once). */
export interface DomainEvents {
  'sessions.revoked': [{ officerId: string; sessionIds: string[]; reason: string }];
  'officer.suspended': [{ officerId: string }];
}

export class DomainEventBus extends EventEmitter<DomainEvents> {}
