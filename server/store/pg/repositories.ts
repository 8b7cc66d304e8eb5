import type { Repositories } from '../store.ts';
import { PgAccessRepository, type ChangeStamp } from './access-repository.ts';
import { PgAccountsRepository } from './accounts-repository.ts';
import { PgAgreementsRepository } from './agreements-repository.ts';
import { PgAlertingRepository } from './alerting-repository.ts';
import { PgAttachmentsRepository } from './attachments-repository.ts';
import { PgAuditRepository } from './audit-repository.ts';
import { PgChannelsRepository } from './channels-repository.ts';
import { PgDesksRepository } from './desks-repository.ts';
import { PgDirectoryRepository } from './directory-repository.ts';
import type { PgExecutor } from './executor.ts';
import { PgFeedRepository } from './feed-repository.ts';
import { PgIntakeRepository } from './intake-repository.ts';
import { PgKeysRepository } from './keys-repository.ts';
import { PgMessagesRepository } from './messages-repository.ts';
import { PgPagingRepository } from './paging-repository.ts';
import { PgRequestsRepository } from './requests-repository.ts';
import { PgSessionRepository } from './sessions-repository.ts';
import { PgStatsRepository } from './stats-repository.ts';

export type PgRepositories = Repositories;

/** Every PostgreSQL repository on one executor: the pool (reads outside a transaction) or a transaction's client. */
export function pgRepositories(q: PgExecutor, stamp: ChangeStamp): PgRepositories {
  return {
    accounts: new PgAccountsRepository(q),
    sessions: new PgSessionRepository(q),
    agreements: new PgAgreementsRepository(q),
    channels: new PgChannelsRepository(q),
    directory: new PgDirectoryRepository(q),
    desks: new PgDesksRepository(q),
    keys: new PgKeysRepository(q),
    messages: new PgMessagesRepository(q),
    access: new PgAccessRepository(q, stamp),
    attachments: new PgAttachmentsRepository(q),
    feed: new PgFeedRepository(q),
    audit: new PgAuditRepository(q),
    alerting: new PgAlertingRepository(q),
    paging: new PgPagingRepository(q),
    intake: new PgIntakeRepository(q),
    requests: new PgRequestsRepository(q),
    stats: new PgStatsRepository(q),
  };
}
