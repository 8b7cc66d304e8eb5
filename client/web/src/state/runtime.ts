/**
 * What a signed-in session needs beyond the sign-in form, in one lazily loaded chunk (issue 15 §9): the SDK
 * (libsodium-wrappers-sumo with its WebAssembly, socket.io-client), the decrypted chat state and the API wrapper.
 * Loaded through `loadRuntime()` (state/session.ts), never imported statically by the entry.
 */
export { LiaisonClient } from '../../../sdk/index.ts';
export { Api } from './api.ts';
export { ChatData } from './chat.ts';
