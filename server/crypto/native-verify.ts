import sodium from 'sodium-native';
import type { VerifyDetached } from '../../shared/crypto/index.ts';

/**
 * Ed25519 verification in native libsodium: the same C library as the clients' WASM build, so the
 * acceptance rules are identical (test/crypto/native-differential.test.ts), at a fraction of the CPU.
 * Callers go through labelledVerify, which checks exact lengths first and treats a throw as false.
 */
export const nativeVerifyDetached: VerifyDetached = (signature, message, signPublicKey) =>
  sodium.crypto_sign_verify_detached(signature, message, signPublicKey);
