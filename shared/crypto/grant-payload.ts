/**
 * The permission workflow's payloads (PROTOCOL.md §8.3): a recipient asks the originator of an H1/H2 message to use
 * it for a purpose (`use-grant-request`); the originator answers with a `use-grant`, signed like every envelope
 * (by its sending device), in the message's own channel. Receivers accept a grant only from the granted message's
 * sender, in the same channel (client/sdk/codes.ts).
 */
import { id, int, lit, oneOf, opt, str } from './wire.ts';
import type { WireSpec } from './wire.ts';

/** `judicial-proceedings` lifts H1's restriction for a use as evidence; `onward-to-third-party` lifts H2's for an agency. */
export const USE_PURPOSES = ['judicial-proceedings', 'onward-to-third-party'] as const;
export type UsePurpose = (typeof USE_PURPOSES)[number];
export const GRANT_DECISIONS = ['granted', 'refused'] as const;
export const MAX_GRANT_SCOPE_CHARS = 1000;

export interface UseGrantRequestPayload {
  kind: 'use-grant-request';
  /** The restricted message (in this channel). */
  sourceMessageId: string;
  purpose: UsePurpose;
  /** Who would use it: for onward-to-third-party the third party's agency; else the asker's own. */
  granteeAgencyId: string;
  granteeOfficerId?: string;
  /** What for, in the asker's words (proceedings, case, the third party's role). */
  scope: string;
}

export interface UseGrantPayload {
  kind: 'use-grant';
  sourceMessageId: string;
  /** The request it answers, when there was one. */
  requestMessageId?: string;
  purpose: UsePurpose;
  granteeAgencyId: string;
  granteeOfficerId?: string;
  scope: string;
  decision: (typeof GRANT_DECISIONS)[number];
  /** ms since the epoch; a granted use is valid before it. */
  expiresAt: number;
}

const scope = str(MAX_GRANT_SCOPE_CHARS);

export const GRANT_PAYLOAD_SPECS: Record<'use-grant-request' | 'use-grant', WireSpec> = {
  'use-grant-request': { kind: lit('use-grant-request'), sourceMessageId: id, purpose: oneOf(USE_PURPOSES), granteeAgencyId: id, granteeOfficerId: opt(id), scope },
  'use-grant': {
    kind: lit('use-grant'),
    sourceMessageId: id,
    requestMessageId: opt(id),
    purpose: oneOf(USE_PURPOSES),
    granteeAgencyId: id,
    granteeOfficerId: opt(id),
    scope,
    decision: oneOf(GRANT_DECISIONS),
    expiresAt: int,
  },
};
