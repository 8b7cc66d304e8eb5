import { describe, expect, it } from 'vitest';
import { nativeVerifyDetached } from '../../server/crypto/native-verify.ts';
import type { VerifyDetached } from '../../shared/crypto/index.ts';
import { expectError, makeApp } from '../world/app.ts';
import { makeChannel, makeWorld, postMessage, sendBody } from '../world/messaging.ts';

// The composition root builds every collaborator; a caller replaces one through `overrides`
// (atproto PDS style), and the replacement is what the running app uses.
describe('AppContext overrides', () => {
  it('an overridden signature verifier is the one the send path uses', async () => {
    let calls = 0;
    let accept = true;
    const verifyDetached: VerifyDetached = (sig, msg, pk) => {
      calls++;
      return accept && nativeVerifyDetached(sig, msg, pk);
    };
    const t = await makeApp({ overrides: { verifyDetached } });
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const ok = await postMessage(t, ch, w.alice, sendBody(ch, w.alice));
    expect(ok.statusCode).toBe(201);
    expect(calls).toBe(1);
    accept = false;
    expectError(await postMessage(t, ch, w.alice, sendBody(ch, w.alice)), 400, 'bad_signature');
    expect(calls).toBe(2);
  });
});
