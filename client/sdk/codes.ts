/**
 * Handling and evaluation codes (PROTOCOL.md §8, docs/CODES.md): a channel's code policy, the permission workflow
 * (`use-grant-request` → `use-grant`) and the check an application makes before it exports or passes on a message.
 */
import { profileOf, type HandlingPolicy, type UseGrantPayload, type UsePurpose } from '../../shared/crypto/index.ts';
import type { SendResult } from '../../shared/schemas/channels.ts';
import type { ChannelsApi } from './channels.ts';
import type { SdkContext } from './context.ts';
import { LiaisonClientError } from './errors.ts';
import type { MessagingApi } from './messaging.ts';

export type UseVerdict =
  | { allowed: true; conditions?: string; grant?: UseGrantPayload & { messageId: string } }
  | { allowed: false; reason: string };

export class CodesApi {
  constructor(
    private readonly ctx: SdkContext,
    private readonly channels: ChannelsApi,
    private readonly messaging: MessagingApi,
  ) {}

  /** The channel's codes, default and profile (verified chain). */
  policy(channelId: string): Promise<HandlingPolicy> {
    return this.channels.policy(channelId);
  }

  /** Asks the originator of `sourceMessageId` (in its channel) for a use; sent as a `use-grant-request` message. */
  requestUse(channelId: string, sourceMessageId: string, req: { purpose: UsePurpose; granteeAgencyId?: string; granteeOfficerId?: string; scope: string }): Promise<SendResult> {
    const agency = req.granteeAgencyId ?? this.ctx.officer?.agencyId;
    if (!agency) throw new LiaisonClientError('auth/locked', 'requestUse: sign in first');
    return this.messaging.send(channelId, {
      kind: 'use-grant-request',
      sourceMessageId,
      purpose: req.purpose,
      granteeAgencyId: agency,
      ...(req.granteeOfficerId ? { granteeOfficerId: req.granteeOfficerId } : {}),
      scope: req.scope,
    });
  }

  /**
   * Answers as the originator: a `use-grant` in the source's channel, signed like every envelope and declared to the
   * server (which records it for H2 forwards). `requestMessageId` takes purpose and grantee from the request.
   */
  async grant(
    channelId: string,
    g: { sourceMessageId: string; requestMessageId?: string; purpose: UsePurpose; granteeAgencyId: string; granteeOfficerId?: string; scope: string; expiresAt: number; decision?: 'granted' | 'refused' },
  ): Promise<SendResult> {
    const source = await this.messaging.message(channelId, g.sourceMessageId);
    return this.messaging.send(
      channelId,
      {
        kind: 'use-grant',
        sourceMessageId: g.sourceMessageId,
        ...(g.requestMessageId ? { requestMessageId: g.requestMessageId } : {}),
        purpose: g.purpose,
        granteeAgencyId: g.granteeAgencyId,
        ...(g.granteeOfficerId ? { granteeOfficerId: g.granteeOfficerId } : {}),
        scope: g.scope,
        decision: g.decision ?? 'granted',
        expiresAt: g.expiresAt,
      },
      // The grant is as restricted as what it is about.
      source ? { handling: source.handling, ...(source.codes?.conditions ? { codes: { conditions: source.codes.conditions } } : {}) } : {},
    );
  }

  /** The originator's valid grants for a message I hold (my clock decides expiry). */
  grants(channelId: string, messageId: string, purpose?: UsePurpose, granteeAgencyId?: string): ReturnType<MessagingApi['grantsFor']> {
    return this.messaging.grantsFor(channelId, messageId, purpose, granteeAgencyId);
  }

  /**
   * May this message be used for `purpose` (by `agencyId`, default mine; for `onward-to-third-party` the third
   * party)? H1 and H2 need a grant for judicial proceedings, H2 one for a third party; H3 is allowed under its
   * conditions, returned for the application to show and confirm; H0 and TLP CLEAR/GREEN are allowed; TLP AMBER,
   * AMBER+STRICT and RED are not used outside their rules (§8.1) — as evidence or for a third party, ask the originator.
   */
  async canUse(channelId: string, messageId: string, purpose: UsePurpose, agencyId?: string): Promise<UseVerdict> {
    const m = await this.messaging.message(channelId, messageId);
    if (!m) return { allowed: false, reason: 'The message is not held on this device.' };
    const agency = agencyId ?? this.ctx.officer?.agencyId;
    const needsGrant = (m.handling === 'H2') || (m.handling === 'H1' && purpose === 'judicial-proceedings');
    if (needsGrant) {
      const [grant] = await this.messaging.grantsFor(channelId, messageId, purpose, agency);
      if (grant) return { allowed: true, grant };
      return { allowed: false, reason: `${m.handling}: ask the agency that provided it for permission (${purpose}).` };
    }
    switch (m.handling) {
      case 'H3':
        return { allowed: true, ...(m.codes?.conditions ? { conditions: m.codes.conditions } : {}) };
      case 'H0':
      case 'H1':
      case 'TLP:CLEAR':
      case 'TLP:GREEN':
        return { allowed: true };
      default:
        return { allowed: false, reason: `${m.handling} limits who may receive it; ask the agency that provided it.` };
    }
  }

  /** The profile of a channel (absent in its policy = TLP 2.0 without evaluation). */
  async profile(channelId: string): Promise<ReturnType<typeof profileOf>> {
    return profileOf(await this.channels.policy(channelId));
  }
}
