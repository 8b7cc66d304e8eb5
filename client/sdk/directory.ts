import type { Payload } from '../../shared/crypto/index.ts';
import type {
  CreateDirectoryEntryBody,
  DirectoryEntry,
  DirectoryPage,
  DirectorySearchQuery,
  UpdateDirectoryEntryBody,
} from '../../shared/schemas/directory.ts';
import type { ChannelInfo, ChannelsApi, ContactTargetView, InvitationView } from './channels.ts';
import { api } from '../../shared/api/index.ts';
import { type SdkContext } from './context.ts';
import { LiaisonClientError } from './errors.ts';

export type DirectoryFilters = Omit<DirectorySearchQuery, 'availableNow'> & { availableNow?: boolean };
export type { ContactTargetView } from './channels.ts';

export interface ContactOptions {
  /** Introductory message: sent as the channel's first message once the recipient is a member (at once within one agency). */
  message?: string;
  /** For a desk without a linked officer: which of its administrators (default: the first offered). */
  recipientId?: string;
  /** Channel title (encrypted); default "Contact: <entry title>". */
  title?: string;
}

export interface ContactResult {
  channel: ChannelInfo;
  /** True when this is a contact request (another agency, no covering agreement). */
  contactRequest: boolean;
  /** The recipient's invitation (another agency), null when they were added at once. */
  invitationId: string | null;
  /** Whether the introductory message went out already (false = queued until the recipient accepts). */
  messageSent: boolean;
}

type Sender = (channelId: string, payload: Payload) => Promise<unknown>;

/** The contact-point directory and "reach them" (contact requests), docs/MESSAGING.md. */
export class DirectoryApi {
  constructor(
    private readonly ctx: SdkContext,
    private readonly channels: ChannelsApi,
    private readonly send: Sender,
  ) {
    channels.onOwnAddApplied = (channelId) => this.flushIntro(channelId);
  }

  async search(filters: DirectoryFilters = {}): Promise<DirectoryPage> {
    return this.ctx.http.call(api.directory.search, { query: filters });
  }

  async entry(id: string): Promise<{ entry: DirectoryEntry; nextChange: { at: number; available: boolean } | null }> {
    return this.ctx.http.call(api.directory.get, { params: { id } });
  }

  async target(entryId: string): Promise<ContactTargetView> {
    return this.ctx.http.call(api.directory.contactTarget, { params: { id: entryId } });
  }

  async contact(entryId: string, opts: ContactOptions = {}): Promise<ContactResult> {
    const [target, { entry }] = await Promise.all([this.target(entryId), this.entry(entryId)]);
    const recipient = opts.recipientId === undefined ? target.recipients[0] : target.recipients.find((r) => r.officerId === opts.recipientId);
    if (!recipient) throw new LiaisonClientError('contact/invalid-recipient', `contact: ${opts.recipientId ?? '(none)'} is not a contact of this entry`);
    const { channel, invitationId } = await this.channels.openFromDirectory(target, recipient.officerId, opts.title ?? `Contact: ${entry.title}`);
    let messageSent = false;
    if (opts.message !== undefined) {
      if (invitationId === null) {
        await this.send(channel.id, { kind: 'text', text: opts.message });
        messageSent = true;
      } else {
        // Nothing readable reaches the recipient before they accept: the message waits here, sealed.
        await this.ctx.sealed.set(`contact-intro:${channel.id}`, opts.message);
      }
    }
    return { channel, contactRequest: target.contactRequest, invitationId, messageSent };
  }

  /** Pending contact requests addressed to me. */
  async contactRequests(): Promise<InvitationView[]> {
    return (await this.channels.invitations()).filter((i) => i.contactRequest === true && i.inviteeId === this.ctx.officer?.id);
  }

  // ---- administrators ----

  async create(body: CreateDirectoryEntryBody): Promise<DirectoryEntry> {
    return (await this.ctx.http.call(api.directory.create, { body })).entry;
  }

  async update(id: string, body: UpdateDirectoryEntryBody): Promise<DirectoryEntry> {
    return (await this.ctx.http.call(api.directory.update, { params: { id }, body })).entry;
  }

  async confirm(id: string): Promise<DirectoryEntry> {
    return (await this.ctx.http.call(api.directory.confirm, { params: { id } })).entry;
  }

  async retire(id: string): Promise<void> {
    await this.ctx.http.call(api.directory.retire, { params: { id } });
  }

  async stale(opts: { limit?: number; cursor?: string } = {}): Promise<{ entries: DirectoryEntry[]; nextCursor: string | null }> {
    return this.ctx.http.call(api.directory.stale, { query: opts });
  }

  /** The recipient joined: send the queued introductory message (once; removed before sending). */
  private async flushIntro(channelId: string): Promise<void> {
    const key = `contact-intro:${channelId}`;
    const text = await this.ctx.sealed.get<string>(key);
    if (text === undefined || text === null) return;
    await this.ctx.sealed.delete(key);
    await this.send(channelId, { kind: 'text', text });
  }
}
