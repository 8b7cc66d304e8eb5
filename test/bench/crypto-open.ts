/**
 * SDK verify+decrypt of 1 KiB envelopes per second vs raw crypto_sign_verify_detached in the
 * same run. Run: npx tsx test/bench/crypto-open.ts
 */
import { fileURLToPath } from 'node:url';
import { emptyReceiverState, getSodium, initSodium, openEnvelope } from '../../shared/crypto/index.ts';
import type { MessageEnvelope } from '../../shared/crypto/index.ts';
import { distribute, makeWorld, send, session, threeMemberChannel } from '../crypto/fixtures.ts';

export interface CryptoOpenBenchOptions {
  /** Envelopes per repetition (each opened once, in order). */
  messages?: number;
  repetitions?: number;
  /** Fewer messages per repetition (still ≥ 3 repetitions) for smoke runs. */
  quick?: boolean;
}

export interface CryptoOpenBenchResult {
  sdk_open_per_s: number;
  ceiling_ed25519_verify_per_s: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runCryptoOpenBench(opts: CryptoOpenBenchOptions = {}): Promise<CryptoOpenBenchResult> {
  await initSodium();
  const sodium = getSodium();
  const n = Math.min(opts.messages ?? (opts.quick ? 300 : 900), 999);
  const reps = Math.max(3, opts.repetitions ?? (opts.quick ? 3 : 5));
  const w = makeWorld('bench');
  const { state } = threeMemberChannel(w);
  const secrets = distribute(state, w.alice, [w.alice, w.bob]);
  const text = 'x'.repeat(1024 - 64);
  const sdk: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < reps; r++) {
    // A fresh sending chain per repetition keeps counters within the epoch budget.
    const alice = session(w.alice, 'c1');
    alice.secrets.set(state.current.epoch, secrets.get('alice')!);
    const envs: MessageEnvelope[] = [];
    for (let i = 0; i < n; i++) envs.push(send(alice, state, { kind: 'text', text }));
    const secret = secrets.get('bob')!;
    let receiver = emptyReceiverState('c1');
    let t = performance.now();
    for (const e of envs) receiver = openEnvelope({ channel: state, receiver, epochSecret: () => secret, envelope: e, now: e.header.time }).receiver;
    sdk.push(n / ((performance.now() - t) / 1000));

    const msg = sodium.randombytes_buf(1024 + 200);
    const sig = sodium.crypto_sign_detached(msg, w.alice.keys.signSecretKey);
    t = performance.now();
    for (let i = 0; i < n; i++) if (!sodium.crypto_sign_verify_detached(sig, msg, w.alice.keys.signPublicKey)) throw new Error('verify failed');
    raw.push(n / ((performance.now() - t) / 1000));
  }
  return { sdk_open_per_s: Math.round(median(sdk)), ceiling_ed25519_verify_per_s: Math.round(median(raw)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runCryptoOpenBench();
  const ratio = r.sdk_open_per_s / r.ceiling_ed25519_verify_per_s;
  console.table({
    'SDK verify+decrypt (1 KiB envelope)': { per_s: r.sdk_open_per_s },
    'raw crypto_sign_verify_detached': { per_s: r.ceiling_ed25519_verify_per_s },
  });
  console.log(`ratio ${ratio.toFixed(3)} (target >= 0.7)`);
  if (ratio < 0.7) process.exitCode = 1;
}
