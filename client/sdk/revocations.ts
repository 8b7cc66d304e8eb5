import {
  DecryptError,
  EpochError,
  REVOCATION_ERROR_CODES,
  revocationOf,
  type EpochView,
  type KeyEvent,
  type RevocableCertificate,
} from '../../shared/crypto/index.ts';
import type { KeysApi } from './keys.ts';
import type { KeyLogAuditor } from './keylog.ts';

/**
 * Certificates revoked by a logged `cert-revoke` of their agency root (PROTOCOL.md §4.3
 * **Revocation**), as this client's audited key log shows them. Only revocations whose author is the
 * pinned root of the certificate's agency count: a cert-revoke signed by anyone else is ignored.
 */
export class RevocationChecker {
  constructor(
    private readonly keylog: KeyLogAuditor,
    private readonly keys: Pick<KeysApi, 'agencyRoot'>,
  ) {}

  /** Whether the audited log holds any cert-revoke at all (the common case is none: no further work). */
  async any(): Promise<boolean> {
    return (await this.keylog.revocations()).length > 0;
  }

  /** Officers named by any cert-revoke of my audited log (a cheap pre-filter; `of` decides). */
  async revokedOfficerIds(): Promise<string[]> {
    return [...new Set((await this.keylog.revocations()).map((e) => e.officerId))];
  }

  /** The root-signed revocation of `cert` in my audited log, or null. */
  async of(cert: RevocableCertificate): Promise<KeyEvent | null> {
    const relevant = (await this.keylog.revocations()).filter((e) => e.officerId === cert.officerId && e.agencyId === cert.agencyId);
    if (relevant.length === 0) return null;
    const root = await this.keys.agencyRoot(cert.agencyId).catch(() => undefined);
    return revocationOf(cert, relevant, root);
  }

  /** Members of `view` whose certificate is revoked (at any time), with their revocation. */
  async revokedMembers(view: EpochView): Promise<{ officerId: string; revocation: KeyEvent }[]> {
    const out: { officerId: string; revocation: KeyEvent }[] = [];
    for (const [officerId, m] of view.members) {
      const revocation = await this.of(m.cert);
      if (revocation) out.push({ officerId, revocation });
    }
    return out;
  }

  /**
   * §4.3 Revocation, sealing and opening: an epoch opened at or after a member's revocation must not carry that member. Throws
   * `epoch/recipient-revoked` (sealing, and opening an envelope of such an epoch).
   */
  async assertEpochRecipients(view: EpochView): Promise<void> {
    for (const { officerId, revocation } of await this.revokedMembers(view)) {
      if (revocation.time <= view.startedAt) {
        throw new EpochError(REVOCATION_ERROR_CODES.recipientRevoked, `epoch ${view.epoch} was opened after ${officerId}'s certificate was revoked but still lists them`);
      }
    }
  }

  /** §4.3 Revocation: an envelope built by a distributor revoked before the epoch opened is refused (`epoch/sender-revoked`). */
  async assertEpochSender(view: EpochView, senderOfficerId: string): Promise<void> {
    const m = view.members.get(senderOfficerId);
    const revocation = m ? await this.of(m.cert) : null;
    if (revocation && revocation.time <= view.startedAt) {
      throw new EpochError(REVOCATION_ERROR_CODES.senderRevoked, `the key envelope of epoch ${view.epoch} was built by ${senderOfficerId}, whose certificate was revoked before the epoch`);
    }
  }

  /**
   * §4.3 Revocation, messages: a message whose sender's certificate was revoked at or before its header time or its
   * server stamp is refused (`envelope/sender-revoked`); earlier messages stay readable.
   */
  async assertMessageSender(view: EpochView, senderOfficerId: string, time: number, serverTime: number): Promise<void> {
    const m = view.members.get(senderOfficerId);
    const revocation = m ? await this.of(m.cert) : null;
    if (revocation && (time >= revocation.time || serverTime >= revocation.time)) {
      throw new DecryptError(REVOCATION_ERROR_CODES.messageSenderRevoked, `the sender ${senderOfficerId}'s certificate was revoked before this message`);
    }
  }
}
