import { constantTimeEqual, encodeFields, u32be, u64be, utf8 } from './encoding.ts';
import { VerificationError } from './errors.ts';
import { HASH_BYTES, SIGN_PUBLIC_KEY_BYTES, labelledHash, labelledSign, labelledVerify } from './primitives.ts';

export const AGREEMENT_SCOPES = [
  'drug-trafficking',
  'internet-drug-crime',
  'precursors',
  'money-laundering',
  'controlled-delivery',
  'fugitives',
  'organised-crime-networks',
  'training',
] as const;
export type AgreementScope = (typeof AGREEMENT_SCOPES)[number];

export interface AgreementTerms {
  id: string;
  /** Agency ids, sorted (code-unit order) and unique. */
  parties: string[];
  /** Topics from AGREEMENT_SCOPES, sorted and unique. */
  scope: string[];
  validFrom: number;
  validUntil: number;
  version: number;
  /** Either the 32-byte BLAKE2b hash of the agreement text, or the text itself. */
  textHash?: Uint8Array;
  text?: string;
}

const AGREEMENT_LABEL = 'liaison/v1/agreement';
const AGREEMENT_TEXT_LABEL = 'liaison/v1/agreement-text';

export function agreementTextHash(text: string): Uint8Array {
  return labelledHash(AGREEMENT_TEXT_LABEL, [utf8(text)]);
}

function sortedUnique(values: readonly string[]): boolean {
  for (let i = 1; i < values.length; i++) if (!(values[i - 1]! < values[i]!)) return false;
  return true;
}

/** The exact bytes every party's admin signs; rejects unsorted or unknown entries instead of fixing them. */
export function agreementCanonicalBytes(terms: AgreementTerms): Uint8Array {
  const fn = 'agreementCanonicalBytes';
  if (terms.parties.length < 2 || !sortedUnique(terms.parties)) {
    throw new VerificationError('agreement/invalid', `${fn}: parties must be ≥2, sorted and unique`);
  }
  if (terms.scope.length === 0 || !sortedUnique(terms.scope) || !terms.scope.every((s) => (AGREEMENT_SCOPES as readonly string[]).includes(s))) {
    throw new VerificationError('agreement/invalid', `${fn}: scope must be non-empty, sorted, unique and from the vocabulary`);
  }
  if (!(terms.validUntil > terms.validFrom)) throw new VerificationError('agreement/invalid', `${fn}: validUntil must follow validFrom`);
  const textHash = terms.textHash ?? (terms.text !== undefined ? agreementTextHash(terms.text) : undefined);
  if (!textHash || textHash.length !== HASH_BYTES) throw new VerificationError('agreement/invalid', `${fn}: need text or a 32-byte textHash`);
  if (terms.textHash && terms.text !== undefined && !constantTimeEqual(terms.textHash, agreementTextHash(terms.text))) {
    throw new VerificationError('agreement/invalid', `${fn}: textHash does not match text`);
  }
  return encodeFields(AGREEMENT_LABEL, [
    utf8(terms.id),
    u32be(terms.version),
    u32be(terms.parties.length),
    ...terms.parties.map(utf8),
    u32be(terms.scope.length),
    ...terms.scope.map(utf8),
    u64be(terms.validFrom),
    u64be(terms.validUntil),
    textHash,
  ]);
}

export function signAgreement(terms: AgreementTerms, signSecretKey: Uint8Array): Uint8Array {
  return labelledSign('liaison/v1/agreement-signature', [agreementCanonicalBytes(terms)], signSecretKey);
}

export function verifyAgreementSignature(terms: AgreementTerms, signature: Uint8Array, signPublicKey: Uint8Array): boolean {
  if (signPublicKey.length !== SIGN_PUBLIC_KEY_BYTES) return false;
  return labelledVerify('liaison/v1/agreement-signature', [agreementCanonicalBytes(terms)], signature, signPublicKey);
}
