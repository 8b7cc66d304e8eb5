import { CryptoError, type WireCodec } from '../../shared/crypto/index.ts';
import { protocolErrorCode, type ErrorCode } from '../../shared/errors.ts';
import { ValidationError } from '../errors.ts';

/** Maps a protocol error code ("chain/bad-signature") to an API error code ("chain_bad_signature"). */
export const apiCode = protocolErrorCode;

/** Parses a client-supplied wire object strictly; any format problem is a 400 naming the field. */
export function parseWire<T>(codec: WireCodec<T>, json: unknown, what: string): T {
  try {
    return codec.fromWire(json);
  } catch (err) {
    if (err instanceof CryptoError) throw new ValidationError(`${what}: ${err.message}`, 'wire_invalid', { cause: err });
    throw err;
  }
}

/** Protocol refusals a user can cause by choice (not by a broken client): their own code and a sentence for people. */
const USER_FACING: Record<string, { code: ErrorCode; message: string }> = {
  'chain/no-agreement': {
    code: 'channel_agreement_required',
    message:
      'Officers of another agency can only be added to a case or team channel opened under an agreement between your agencies. ' +
      'Choose the agreement when you create the channel, or add only officers of your own agency.',
  },
};

/** A CryptoError becomes a 400 carrying the protocol's code; anything else is returned unchanged. */
export function apiError(err: unknown, what: string): unknown {
  if (!(err instanceof CryptoError)) return err;
  const known = USER_FACING[err.code];
  if (known) return new ValidationError(known.message, known.code, { cause: err });
  return new ValidationError(`${what}: ${err.message}`, apiCode(err.code), { cause: err });
}

/** Runs a protocol check, mapping its failure with `apiError`. */
export function verified<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    throw apiError(err, what);
  }
}

/** Stable JSON of a codec's wire form, for idempotency comparisons. */
export function wireJson<T>(codec: WireCodec<T>, value: T): string {
  return JSON.stringify(codec.toWire(value));
}
