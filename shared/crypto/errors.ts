/** Base class: every error thrown by shared/crypto carries a stable machine-readable code. */
export class CryptoError extends Error {
  override name = 'CryptoError';
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Malformed bytes, base64url or integer ranges. */
export class EncodingError extends CryptoError {
  override name = 'EncodingError';
}

/** A JSON wire object has wrong/missing/extra fields, lengths or an unknown version. */
export class WireFormatError extends CryptoError {
  override name = 'WireFormatError';
}

/** A signature, certificate, key-log or agreement check failed. */
export class VerificationError extends CryptoError {
  override name = 'VerificationError';
}

/** A membership event breaks the chain or the authority rules. */
export class ChannelStateError extends CryptoError {
  override name = 'ChannelStateError';
}

/** Key-transparency log tampering, rewind or equivocation. */
export class KeyLogError extends CryptoError {
  override name = 'KeyLogError';
}

/** Epoch key distribution or sending rules violated. */
export class EpochError extends CryptoError {
  override name = 'EpochError';
}

/** One type for every receive-pipeline failure, so callers cannot leak more than the code. */
export class DecryptError extends CryptoError {
  override name = 'DecryptError';
}

/** Attachment stream failures (truncation, reordering, trailing data, wrong id). */
export class AttachmentError extends CryptoError {
  override name = 'AttachmentError';
}

/** Key backup sealing/opening failures (wrong secret, downgraded KDF, swapped blob). */
export class BackupError extends CryptoError {
  override name = 'BackupError';
}

/** Handling-code policy or structured payload validation failures. */
export class PolicyError extends CryptoError {
  override name = 'PolicyError';
}

export class PayloadError extends CryptoError {
  override name = 'PayloadError';
}

/** A sealed channel meta does not open (`meta/open-failed`) or its plaintext is not a meta object (`meta/bad-plaintext`). */
export class ChannelMetaError extends CryptoError {
  override name = 'ChannelMetaError';
}

/** Desk intake (PROTOCOL.md §11): intake key statements, intake secrets and sealed desk requests (`intake/…`). */
export class IntakeError extends CryptoError {
  override name = 'IntakeError';
}

/**
 * Refusals because a key's certificate was revoked by a logged `cert-revoke` of its agency root
 * (PROTOCOL.md §4.3 **Revocation**, §5.2 rule 7). Thrown as EpochError (epoch/…) or
 * DecryptError (envelope/…).
 */
export const REVOCATION_ERROR_CODES = {
  /** An epoch opened at or after a revocation still lists the revoked member: refuse to seal to it or to open its envelope. */
  recipientRevoked: 'epoch/recipient-revoked',
  /** A key envelope built by a distributor whose certificate was revoked before the epoch opened. */
  senderRevoked: 'epoch/sender-revoked',
  /** A message from a sender whose certificate was revoked at or before the message's time. */
  messageSenderRevoked: 'envelope/sender-revoked',
  /** A membership event whose actor's certificate was revoked at or before the event's time (§5.2 rule 7). */
  actorRevoked: 'chain/actor-revoked',
} as const;
