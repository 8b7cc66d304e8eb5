import type { Readable } from 'node:stream';
import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import type { AppConfig } from '../config.ts';
import { ConcealedDenialError, ConflictError, NotFoundError } from '../errors.ts';
import type { ChannelAccess, ChannelRow } from '../channels/access.ts';
import { createBlobStore, TooLargeError, type BlobStore } from './blob-store.ts';
import { InFlightBytes, QuotaExceededError, type QuotaScope } from './quota.ts';
import type { AttachmentRow, AttachmentsRepository } from './repository.ts';
import type { Store, Tx } from '../store/store.ts';

export interface AttachmentInfo {
  attachmentId: string;
  size: number;
  channelId: string;
}

export interface AttachmentsDeps {
  store: Store;
  clock: Clock;
  config: Pick<AppConfig, 'dataDir' | 'messaging' | 'store' | 'nodeId' | 'blobs'>;
  /** The membership rule shared with messages (so attachments need not reach into messages). */
  access: Pick<ChannelAccess, 'requireMember' | 'channel' | 'readOnlyReason' | 'isCurrentMember'>;
}

/** Encrypted attachment blobs: streamed upload by channel members, download by those who may see them. */
export class AttachmentsService {
  readonly blobs: BlobStore;
  private readonly inFlight = new InFlightBytes();

  private readonly store: Store;
  private readonly clock: Clock;
  private readonly messaging: AppConfig['messaging'];
  private readonly access: AttachmentsDeps['access'];

  constructor(deps: AttachmentsDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.messaging = deps.config.messaging;
    this.access = deps.access;
    // On PostgreSQL several nodes may share DATA_DIR/blobs: each keeps its own temp folder.
    this.blobs = createBlobStore(deps.config, deps.config.store.kind === 'postgres' ? deps.config.nodeId : undefined);
  }

  get maxBytes(): number {
    return this.messaging.attachmentMaxBytes;
  }

  /** Channel an attachment was uploaded to, if it exists. */
  async channelOf(id: string): Promise<string | undefined> {
    return (await this.store.read((r) => r.attachments.byId(id)))?.channelId;
  }

  /**
   * Streams the body to the blob store; `created` is false when the same blob was already stored here.
   * Refused before a byte is stored when the channel is read-only or a pending contact request (as
   * sends are), or when the declared size does not fit the officer's or the channel's quota; the
   * bytes reserved meanwhile keep concurrent uploads inside the quotas, and the commit re-checks both
   * (a refused upload leaves neither row nor blob).
   */
  async upload(actor: Actor, channelId: string, body: Readable, declaredLength: number | null): Promise<{ info: AttachmentInfo; created: boolean }> {
    const channel = await this.access.requireMember(actor, channelId);
    await this.checkWritable(channel);
    if (declaredLength !== null && declaredLength > this.maxBytes) throw new TooLargeError(this.maxBytes);
    const officer = await this.headroom('officer', actor.officerId);
    const room = await this.headroom('channel', channelId);
    const tight = officer.free <= room.free ? officer : room;
    // Without a Content-Length the upload may use what is left, up to the maximum.
    const reserve = declaredLength ?? Math.min(this.maxBytes, tight.free);
    if (reserve > tight.free || tight.free <= 0) throw new QuotaExceededError(tight.scope, tight.quota, tight.used, declaredLength);
    const release = this.inFlight.reserve(actor.officerId, channelId, reserve);
    let blob: { id: string; size: number };
    try {
      const overQuota = () => (reserve < this.maxBytes ? new QuotaExceededError(tight.scope, tight.quota, tight.used, null) : new TooLargeError(this.maxBytes));
      blob = await this.blobs.put(body, reserve, overQuota);
    } finally {
      release();
    }
    const { id, size } = blob;
    try {
      const inserted = await this.store.write((tx) => this.commit(tx, actor, channelId, id, size));
      return { info: { attachmentId: id, size, channelId }, created: inserted };
    } catch (err) {
      // The blob is content-addressed: drop it only if no stored attachment is this same ciphertext.
      if ((await this.store.read((r) => r.attachments.byId(id))) === undefined) await this.blobs.delete(id);
      throw err;
    }
  }

  /** Inside the upload's transaction: writability and both quotas once more, then the row. */
  private async commit(tx: Tx, actor: Actor, channelId: string, id: string, size: number): Promise<boolean> {
    const existing = await tx.attachments.byId(id);
    if (existing) {
      if (existing.channelId !== channelId) throw new ConflictError('This ciphertext is already stored for another channel; encrypt it afresh', 'attachment_exists');
      return false;
    }
    const channel = await tx.access.channel(channelId);
    if (channel) await this.checkWritable(channel);
    for (const [scope, key] of [['officer', actor.officerId], ['channel', channelId]] as const) {
      const { quota, used } = await this.usage(scope, key, tx.attachments);
      if (used + size > quota) throw new QuotaExceededError(scope, quota, used, size);
    }
    return tx.attachments.insert(id, channelId, size, actor.officerId, this.clock.now());
  }

  /** Uploads follow the send rules: nothing goes into a read-only channel or a contact request not yet accepted. */
  private async checkWritable(channel: ChannelRow): Promise<void> {
    const reason = await this.access.readOnlyReason(channel);
    if (reason === null) return;
    if (reason === 'contact_request_pending') {
      throw new ConflictError('The contact request has not been accepted yet; files can be sent once the recipient accepts it', 'channel_read_only');
    }
    throw new ConflictError(`The channel is read-only (${reason}); no files can be uploaded to it, history stays readable`, 'channel_read_only');
  }

  private async usage(scope: QuotaScope, key: string, repo: AttachmentsRepository): Promise<{ quota: number; used: number }> {
    const m = this.messaging;
    return scope === 'officer'
      ? { quota: m.attachmentQuotaPerOfficerBytes, used: await repo.usedByOfficer(key) }
      : { quota: m.attachmentQuotaPerChannelBytes, used: await repo.usedByChannel(key) };
  }

  /** Stored plus in-flight bytes against the quota. */
  private async headroom(scope: QuotaScope, key: string): Promise<{ scope: QuotaScope; quota: number; used: number; free: number }> {
    // Committed state: the commit re-checks both quotas inside its transaction.
    const { quota, used } = await this.store.read((r) => this.usage(scope, key, r.attachments));
    const taken = used + this.inFlight.get(scope, key);
    return { scope, quota, used: taken, free: quota - taken };
  }

  /** Opens the blob for someone allowed to read it; everyone else gets the 404 of a missing one. */
  async open(actor: Actor, id: string): Promise<{ size: number; stream: Readable }> {
    const row = await this.store.read((r) => r.attachments.byId(id));
    if (!row) throw new NotFoundError('Attachment');
    if (!(await this.store.read((r) => this.canRead(r.attachments, actor, row)))) throw new ConcealedDenialError('Attachment', 'attachment_not_readable');
    return { size: row.size, stream: this.blobs.get(id) };
  }

  /** Retention: the row is gone, drop the file. */
  removeBlob(id: string): void {
    // Best effort: a blob left behind is unreferenced ciphertext, never served (no row points to it).
    void this.blobs.delete(id).catch(() => {});
  }

  private async canRead(repo: AttachmentsRepository, actor: Actor, row: AttachmentRow): Promise<boolean> {
    if (await repo.memberCanSee(actor.officerId, row.id)) return true;
    return row.uploadedBy === actor.officerId && !(await repo.referenced(row.id)) && (await this.access.isCurrentMember(row.channelId, actor.officerId));
  }
}
