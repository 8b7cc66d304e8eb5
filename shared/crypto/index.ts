/** Public API of the Liaison end-to-end protocol (see docs/PROTOCOL.md). Pure, no I/O. */
export * from './errors.ts';
export { initSodium, getSodium } from './sodium.ts';
export type { Sodium } from './sodium.ts';
export {
  compareBytes,
  concatBytes,
  constantTimeEqual,
  decodeFields,
  encodeFields,
  fromB64,
  fromHex,
  fromUtf8,
  randomBytes,
  readU64,
  toB64,
  toHex,
  u32be,
  u64be,
  u8,
  utf8,
} from './encoding.ts';
export type { Rng } from './encoding.ts';
export * from './primitives.ts';
export * from './audit-head.ts';
export * from './stats-report.ts';
export type { WireCodec } from './wire.ts';
export * from './identity.ts';
export * from './renewal.ts';
export * from './key-log.ts';
export * from './root-set.ts';
export * from './codes.ts';
export * from './handling.ts';
export * from './agreement.ts';
export * from './channel-state.ts';
export * from './epoch.ts';
export * from './sender-chain.ts';
export * from './envelope.ts';
export * from './attachment.ts';
export * from './backup.ts';
export * from './safety-number.ts';
export * from './payload.ts';
export * from './grant-payload.ts';
export * from './correction-payload.ts';
export * from './site-address.ts';
export * from './channel-meta.ts';
export * from './device.ts';
export * from './intake.ts';
