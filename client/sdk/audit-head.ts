import { verifySignedAuditHead, type SignedAuditHead } from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import type { SdkContext } from './context.ts';
import { LiaisonClientError, type ClientErrorCode } from './errors.ts';

const HEAD_KEY = 'audit:head';
const KEY_KEY = 'audit:key';

export interface AuditHeadCheck {
  /** The head the server shows now (null: no audit events yet). */
  head: SignedAuditHead | null;
  /** The highest head this client has seen, after this check. */
  highest: SignedAuditHead | null;
}

/**
 * Remembers the highest signed audit head the server has shown this client (administrators only) and
 * raises an alarm when the server later shows a shorter chain (tail deleted or database rolled back),
 * another head at the same position, or a head signed by a different audit key (docs/AUDIT.md).
 */
export class AuditHeadMonitor {
  constructor(private readonly ctx: SdkContext) {}

  /**
   * Fetches and checks the server's head.
   * @throws LiaisonClientError `audit/rollback`, `audit/equivocation`, `audit/key-changed` or
   *   `audit/invalid-head` (each also emitted as a `security` event); not retryable: the server is misbehaving.
   */
  async check(): Promise<AuditHeadCheck> {
    const { head } = await this.ctx.http.call(api.audit.head);
    const highest = (await this.ctx.store.get<SignedAuditHead>(HEAD_KEY)) ?? null;
    if (!head) {
      if (highest) this.alarm('audit/rollback', `check: the server shows no audit events, but this client saw a signed head at event ${highest.seq}`);
      return { head, highest };
    }
    if (!verifySignedAuditHead(head)) this.alarm('audit/invalid-head', `check: the audit head at event ${head.seq} has an invalid signature`);
    const pinned = await this.ctx.store.get<string>(KEY_KEY);
    if (pinned !== undefined && pinned !== head.publicKey) this.alarm('audit/key-changed', 'check: the audit head is signed by a different audit key than before');
    if (pinned === undefined) await this.ctx.store.set(KEY_KEY, head.publicKey);
    if (highest && head.seq < highest.seq) {
      this.alarm('audit/rollback', `check: the server's audit chain ends at event ${head.seq}, but this client saw a signed head at event ${highest.seq} (events deleted or database rolled back)`);
    }
    if (highest && head.seq === highest.seq && head.hash !== highest.hash) {
      this.alarm('audit/equivocation', `check: the server shows two different signed audit heads at event ${head.seq}`);
    }
    if (!highest || head.seq > highest.seq) {
      await this.ctx.store.set(HEAD_KEY, head);
      return { head, highest: head };
    }
    return { head, highest };
  }

  private alarm(code: ClientErrorCode, message: string): never {
    this.ctx.events.emit('security', { kind: 'audit_rollback', code, message });
    throw new LiaisonClientError(code, message);
  }
}
