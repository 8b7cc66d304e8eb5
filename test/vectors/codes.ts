/**
 * Code profiles (PROTOCOL.md §7, §8): policy bytes with and without a profile, a Europol-profile channel created by
 * alice, and envelopes in it — H2 with evaluation A1 (inner frame v2), H3 with X4 and conditions (v2), H1 without
 * codes (v1 frame). Uses its own epoch secret (seeded), not the key-envelope vector's.
 */
import {
  applyEvent,
  createMembershipEvent,
  encodeHeader,
  encryptMessage,
  handlingPolicyBytes,
  membershipEventCodec,
  membershipEventHash,
  messageEnvelopeCodec,
  policyFromMinimum,
  startSendingChain,
  toHex,
  type HandlingCode,
  type MessageCodes,
} from '../../shared/crypto/index.ts';
import { T0, seededRng, type makeWorld } from '../crypto/fixtures.ts';
import type { VectorFile } from './build.ts';

export const EUROPOL_VECTOR_POLICY = policyFromMinimum('H0', 'H2', { handling: 'europol-h', evaluation: 'europol-4x4' });

export function codesVectors(w: ReturnType<typeof makeWorld>): VectorFile {
  const create = createMembershipEvent(
    null,
    { channelId: 'c-eu', kind: 'create', time: T0 + 50, actorOfficerId: 'alice', actorDeviceId: w.alice.deviceId, channelKind: 'case', agreementId: '', policy: EUROPOL_VECTOR_POLICY, member: w.alice.cert },
    w.alice.keys,
  );
  const state = applyEvent(null, create, { agencyRoot: (a) => (a === 'agency-a' ? w.adminA.keys.signPublicKey : undefined) });
  const epochSecret = seededRng('codes-epoch-vector')(32);
  const rng = seededRng('codes-envelope-vector');
  let sending = startSendingChain(epochSecret, { channelId: 'c-eu', epoch: 0, stateHash: state.current.stateHash, officerId: 'alice', deviceId: w.alice.deviceId });
  const messages: [HandlingCode, MessageCodes, string][] = [
    ['H2', { evaluation: 'A1' }, 'Courier leaves Algeciras on Friday.'],
    ['H3', { evaluation: 'X4', conditions: 'Not to be used for covert measures.' }, 'Phone numbers of the crew.'],
    ['H1', {}, 'Ledger photographed by the source.'],
  ];
  const envelopes = messages.map(([handling, codes, text], i) => {
    const r = encryptMessage({
      channel: state,
      sending,
      sender: w.alice.keys,
      messageId: `eu-${i}`,
      handling,
      codes,
      payload: { kind: 'text', text },
      time: T0 + 60 + i,
      keyLogHead: { size: 0, hash: new Uint8Array(32) },
      rng,
    });
    sending = r.sending;
    return { name: `${handling} ${codes.evaluation ?? 'no evaluation'}${codes.conditions ? ' with conditions' : ''}`, codes, payload: { kind: 'text', text }, headerBytes: toHex(encodeHeader(r.envelope.header)), envelope: messageEnvelopeCodec.toWire(r.envelope) };
  });
  const tlp = policyFromMinimum('TLP:AMBER');
  return {
    description:
      'Code profiles (PROTOCOL.md §8): handlingPolicyBytes without a profile (v1 label, unchanged) and with one (liaison/v2/handling-policy); a Europol-profile channel c-eu created by alice; envelopes whose inner frame carries an evaluation and conditions (v2) or none (v1), under epochSecret',
    vectors: [
      { name: 'policy without profile (TLP:AMBER minimum)', policy: tlp, policyBytes: toHex(handlingPolicyBytes(tlp)) },
      { name: 'europol-h / europol-4x4 policy', policy: EUROPOL_VECTOR_POLICY, policyBytes: toHex(handlingPolicyBytes(EUROPOL_VECTOR_POLICY)) },
      { name: 'create event of c-eu', event: membershipEventCodec.toWire(create), eventHash: toHex(membershipEventHash(create)), agencyRoot: toHex(w.adminA.keys.signPublicKey), epochSecret: toHex(epochSecret) },
      ...envelopes,
    ],
  };
}
