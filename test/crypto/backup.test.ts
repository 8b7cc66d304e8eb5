import { describe, expect, it, vi } from 'vitest';
import { getSodium } from '../../shared/crypto/sodium.ts';
import {
  BackupError,
  appendKeyLogEntry,
  backupBlobCodec,
  checkKeysAgainstLog,
  createKeyEvent,
  emptyKeyLog,
  generateRecoveryCode,
  initSodium,
  openBackup,
  sealBackup,
} from '../../shared/crypto/index.ts';
import type { BackupBlob } from '../../shared/crypto/index.ts';
import { T0, codeOf, makeWorld } from './fixtures.ts';

await initSodium();

// Each seal/open runs Argon2id at MODERATE (256 MiB, ~1 s): this file keeps their number small.
const w = makeWorld();
const PASS = 'correct horse battery staple';
const blob = sealBackup(w.alice.keys, { kind: 'passphrase', value: PASS });

describe('key backup (Argon2id MODERATE)', () => {
  it('restores the identity keys, which match the key log', () => {
    const wire = JSON.parse(JSON.stringify(backupBlobCodec.toWire(blob)));
    const keys = openBackup(backupBlobCodec.fromWire(wire), PASS, 'alice');
    expect(keys).toEqual(w.alice.keys);
    const enrol = createKeyEvent({ kind: 'enrol', officerId: 'alice', agencyId: 'agency-a', signPublicKey: keys.signPublicKey, dhPublicKey: keys.dhPublicKey, time: T0 }, keys);
    expect(() => checkKeysAgainstLog([appendKeyLogEntry(emptyKeyLog(), enrol).entry], keys)).not.toThrow();
  });

  it('rejects a wrong passphrase', () => {
    expect(codeOf(() => openBackup(blob, 'correct horse battery stapler', 'alice'))).toBe('backup/wrong-secret');
  });

  it('rejects lowered KDF cost before running Argon2id (no downgrade)', () => {
    const kdf = vi.spyOn(getSodium(), 'crypto_pwhash');
    try {
      expect(codeOf(() => openBackup({ ...blob, opslimit: 2 }, PASS, 'alice'))).toBe('backup/kdf-too-weak');
      expect(codeOf(() => openBackup({ ...blob, memlimit: 64 * 1024 * 1024 }, PASS, 'alice'))).toBe('backup/kdf-too-weak');
      expect(kdf).not.toHaveBeenCalled();
    } finally {
      kdf.mockRestore();
    }
    expect(codeOf(() => sealBackup(w.alice.keys, { kind: 'passphrase', value: PASS }, { opslimit: 2 }))).toBe('backup/kdf-too-weak');
  });

  it('rejects another officer\'s blob and a blob relabelled as mine', () => {
    expect(codeOf(() => openBackup(blob, PASS, 'bob'))).toBe('backup/wrong-officer');
    // attacker relabels alice's blob as bob's: the AD no longer matches
    const relabelled: BackupBlob = { ...blob, officerId: 'bob', signPublicKey: w.bob.keys.signPublicKey, dhPublicKey: w.bob.keys.dhPublicKey };
    const err = (() => {
      try {
        openBackup(relabelled, PASS, 'bob');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BackupError);
    expect((err as BackupError).code).toBe('backup/wrong-secret');
  });

  it('works with a system-generated 128-bit recovery code, tolerant of formatting', () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(/^([0-9a-f]{4}-){7}[0-9a-f]{4}$/);
    const rc = sealBackup(w.bob.keys, { kind: 'recovery-code', value: code });
    expect(openBackup(rc, code.toUpperCase().replace(/-/g, ' '), 'bob')).toEqual(w.bob.keys);
    expect(codeOf(() => openBackup(rc, 'not a code', 'bob'))).toBe('backup/wrong-secret');
  });

  it('rejects weak passphrases and malformed wire blobs', () => {
    expect(codeOf(() => sealBackup(w.alice.keys, { kind: 'passphrase', value: 'short' }))).toBe('backup/weak-passphrase');
    const wire = backupBlobCodec.toWire(blob) as Record<string, unknown>;
    expect(codeOf(() => backupBlobCodec.fromWire({ ...wire, kdf: 'scrypt' }))).toBe('wire/invalid');
    expect(codeOf(() => backupBlobCodec.fromWire({ ...wire, v: 2 }))).toBe('wire/invalid');
  });
});
