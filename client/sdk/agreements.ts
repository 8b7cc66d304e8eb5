import {
  agreementTextHash,
  constantTimeEqual,
  fromB64,
  signAgreement,
  toB64,
  verifyAgreementSignature,
  type AgreementTerms,
} from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import type { Agreement, ProposeAgreementBody } from '../../shared/schemas/agreements.ts';
import { requireKeys, type SdkContext } from './context.ts';
import { LiaisonClientError } from './errors.ts';
import type { KeysApi } from './keys.ts';

export interface AgreementVerification {
  valid: boolean;
  /** Parties whose signature is present and checks against the signer's certified key. */
  verifiedParties: string[];
  problems: string[];
}

/** Rebuilds the signed terms from the server's answer, with the text hash recomputed from the text. */
export function agreementTerms(a: Agreement): AgreementTerms {
  const textHash = agreementTextHash(a.text);
  const claimed = fromB64(a.textHash);
  if (claimed.length !== textHash.length || !constantTimeEqual(claimed, textHash)) {
    throw new LiaisonClientError('agreement/text-hash-mismatch', 'agreementTerms: textHash is not the hash of the text');
  }
  return { id: a.id, version: a.version, parties: a.parties.map((p) => p.agencyId), scope: [...a.scope], validFrom: a.validFrom, validUntil: a.validUntil, textHash };
}

export class AgreementsApi {
  constructor(
    private readonly ctx: SdkContext,
    private readonly keys: KeysApi,
  ) {}

  async propose(body: ProposeAgreementBody): Promise<Agreement> {
    const res = await this.ctx.http.call(api.agreements.propose, { body });
    return res.agreement;
  }

  async get(id: string): Promise<Agreement> {
    return (await this.ctx.http.call(api.agreements.get, { params: { id } })).agreement;
  }

  async list(): Promise<Agreement[]> {
    return (await this.ctx.http.call(api.agreements.list)).agreements;
  }

  /** Fetches the agreement, checks the text hash, signs the canonical bytes for my agency. */
  async sign(id: string): Promise<Agreement> {
    const me = requireKeys(this.ctx, 'signAgreement');
    const agreement = await this.get(id);
    if (!agreement.parties.some((p) => p.agencyId === me.agencyId)) {
      throw new LiaisonClientError('agreement/not-a-party', 'signAgreement: my agency is not a party');
    }
    const signature = signAgreement(agreementTerms(agreement), me.signSecretKey);
    const res = await this.ctx.http.call(api.agreements.sign, {
      params: { id },
      body: { signature: toB64(signature) },
    });
    return res.agreement;
  }

  /** Every present signature must verify under the signer's certificate (itself under the pinned root). */
  async verify(a: Agreement): Promise<AgreementVerification> {
    const problems: string[] = [];
    const verifiedParties: string[] = [];
    let terms: AgreementTerms;
    try {
      terms = agreementTerms(a);
    } catch (err) {
      return { valid: false, verifiedParties, problems: [(err as Error).message] };
    }
    for (const p of a.parties) {
      if (!p.signature || !p.signedBy) {
        if (a.status !== 'proposed') problems.push(`${p.agencyId}: no signature although status is ${a.status}`);
        continue;
      }
      try {
        const { cert } = await this.keys.certified(p.signedBy);
        if (cert.agencyId !== p.agencyId || cert.role !== 'agency_admin') throw new Error('signer is not an administrator of the party');
        if (p.signerPublicKey && !constantTimeEqual(fromB64(p.signerPublicKey), cert.signPublicKey)) throw new Error('signerPublicKey differs from the certified key');
        if (!verifyAgreementSignature(terms, fromB64(p.signature), cert.signPublicKey)) throw new Error('signature does not verify');
        verifiedParties.push(p.agencyId);
      } catch (err) {
        problems.push(`${p.agencyId}: ${(err as Error).message}`);
      }
    }
    return { valid: problems.length === 0, verifiedParties, problems };
  }
}
