// sodium-native ships no types; only what the server uses is declared.
declare module 'sodium-native' {
  interface SodiumNative {
    /** Throws (assert) unless every argument is a typed array, `signature` ≥ 64 and `publicKey` = 32 bytes. */
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  }
  const sodium: SodiumNative;
  export default sodium;
}
