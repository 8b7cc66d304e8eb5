import { describe, expect, it } from 'vitest';
import {
  appendKeyLogEntry,
  assertNoForeignEntries,
  certificateHash,
  checkHeadsConsistent,
  checkKeysAgainstLog,
  createKeyEvent,
  emptyKeyLog,
  generateIdentity,
  initSodium,
  keyEventHash,
  keyLogEntriesCodec,
  signTreeHead,
  treeHeadCodec,
  verifyKeyLogExtension,
} from '../../shared/crypto/index.ts';
import type { KeyEvent, KeyLogEntry, KeyLogState } from '../../shared/crypto/index.ts';
import { T0, codeOf, makeWorld, seededRng } from './fixtures.ts';

await initSodium();

function buildLog() {
  const w = makeWorld();
  const server = generateIdentity({ officerId: 'server', agencyId: 'platform' }, seededRng('server'));
  const enrol = (o: typeof w.alice): KeyEvent =>
    createKeyEvent({ kind: 'enrol', officerId: o.keys.officerId, agencyId: o.keys.agencyId, signPublicKey: o.keys.signPublicKey, dhPublicKey: o.keys.dhPublicKey, time: T0 }, o.keys);
  const certEvent = (o: typeof w.alice): KeyEvent =>
    createKeyEvent(
      { kind: 'cert-issue', officerId: o.keys.officerId, agencyId: o.keys.agencyId, signPublicKey: o.keys.signPublicKey, dhPublicKey: o.keys.dhPublicKey, recordHash: certificateHash(o.cert), time: T0 + 1 },
      w.adminA.keys,
    );
  let log: KeyLogState = emptyKeyLog();
  const entries: KeyLogEntry[] = [];
  for (const ev of [enrol(w.alice), certEvent(w.alice), enrol(w.bob)]) {
    const r = appendKeyLogEntry(log, ev);
    entries.push(r.entry);
    log = r.log;
  }
  return { w, server, entries, log, enrol, certEvent };
}

describe('key transparency log', () => {
  it('verifies an extension from a known head and round-trips through JSON', () => {
    const { server, entries, log } = buildLog();
    const head2 = signTreeHead({ size: 2, headHash: appendKeyLogEntry(appendKeyLogEntry(emptyKeyLog(), entries[0]!.event).log, entries[1]!.event).log.headHash }, server.signSecretKey, T0);
    const head3 = signTreeHead(log, server.signSecretKey, T0 + 5);
    const wireEntries = keyLogEntriesCodec.fromWire(JSON.parse(JSON.stringify(keyLogEntriesCodec.toWire({ entries })))).entries;
    const h3 = treeHeadCodec.fromWire(JSON.parse(JSON.stringify(treeHeadCodec.toWire(head3))));
    expect(verifyKeyLogExtension({ known: null, entries: wireEntries, head: h3, serverSignPublicKey: server.signPublicKey })).toEqual(head3);
    expect(verifyKeyLogExtension({ known: head2, entries: wireEntries.slice(2), head: h3, serverSignPublicKey: server.signPublicKey })).toEqual(head3);
  });

  it('detects tampering: modified, dropped or reordered entries, forged head', () => {
    const { w, server, entries, log } = buildLog();
    const head = signTreeHead(log, server.signSecretKey, T0);
    const pk = server.signPublicKey;
    const swappedKey = { ...entries[1]!, event: { ...entries[1]!.event, dhPublicKey: w.dave.keys.dhPublicKey } };
    expect(codeOf(() => verifyKeyLogExtension({ known: null, entries: [entries[0]!, swappedKey, entries[2]!], head, serverSignPublicKey: pk }))).toBe('keylog/bad-entry');
    expect(codeOf(() => verifyKeyLogExtension({ known: null, entries: [entries[0]!, entries[2]!], head, serverSignPublicKey: pk }))).toBe('keylog/broken-chain');
    expect(codeOf(() => verifyKeyLogExtension({ known: null, entries: [entries[1]!, entries[0]!, entries[2]!], head, serverSignPublicKey: pk }))).toBe('keylog/broken-chain');
    expect(codeOf(() => verifyKeyLogExtension({ known: null, entries: entries.slice(0, 2), head, serverSignPublicKey: pk }))).toBe('keylog/head-mismatch');
    const fakeHead = { ...head, size: 4 };
    expect(codeOf(() => verifyKeyLogExtension({ known: null, entries, head: fakeHead, serverSignPublicKey: pk }))).toBe('keylog/bad-head-signature');
    // a server-forged key event for alice signed by a key that is not hers
    const mallory = generateIdentity({ officerId: 'alice', agencyId: 'agency-a' }, seededRng('mallory'));
    const forged = { ...entries[0]!, event: { ...entries[0]!.event, authorSignPublicKey: mallory.signPublicKey } };
    expect(codeOf(() => appendKeyLogEntry(emptyKeyLog(), forged.event))).toBe('keylog/bad-event-signature');
  });

  it('detects equivocation and rewind', () => {
    const { w, server, entries, log, enrol } = buildLog();
    const headA = signTreeHead(log, server.signSecretKey, T0);
    const alt = appendKeyLogEntry(appendKeyLogEntry(appendKeyLogEntry(emptyKeyLog(), entries[0]!.event).log, entries[1]!.event).log, enrol(w.dave));
    const headB = signTreeHead(alt.log, server.signSecretKey, T0);
    expect(codeOf(() => checkHeadsConsistent(headA, headB, server.signPublicKey))).toBe('keylog/equivocation');
    expect(codeOf(() => verifyKeyLogExtension({ known: headA, entries: [], head: headB, serverSignPublicKey: server.signPublicKey }))).toBe('keylog/equivocation');
    const older = signTreeHead({ size: 1, headHash: appendKeyLogEntry(emptyKeyLog(), entries[0]!.event).log.headHash }, server.signSecretKey, T0 + 9);
    expect(codeOf(() => verifyKeyLogExtension({ known: headA, entries: [], head: older, serverSignPublicKey: server.signPublicKey }))).toBe('keylog/rewind');
  });

  it('detects an entry for me that I did not create', () => {
    const { w, entries, log } = buildLog();
    const mine = [keyEventHash(entries[0]!.event), keyEventHash(entries[1]!.event)];
    expect(() => assertNoForeignEntries(entries, 'alice', mine)).not.toThrow();
    const mallory = generateIdentity({ officerId: 'alice', agencyId: 'agency-a' }, seededRng('mallory'));
    const injected = createKeyEvent({ kind: 'enrol', officerId: 'alice', agencyId: 'agency-a', signPublicKey: mallory.signPublicKey, dhPublicKey: mallory.dhPublicKey, time: T0 + 2 }, mallory);
    const more = [...entries, appendKeyLogEntry(log, injected).entry];
    expect(codeOf(() => assertNoForeignEntries(more, 'alice', mine))).toBe('keylog/foreign-entry');
    // and the restored keys no longer match what the log says is current
    expect(codeOf(() => checkKeysAgainstLog(more, w.alice.keys))).toBe('keylog/key-mismatch');
    expect(() => checkKeysAgainstLog(entries, w.alice.keys)).not.toThrow();
  });
});
