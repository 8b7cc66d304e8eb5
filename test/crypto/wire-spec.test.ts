/**
 * PROTOCOL.md Appendix A against the code: the wire tables are the rendering of the codec specs, every exported
 * protocol codec has a table, and the vectors carry exactly the members their table lists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as crypto from '../../shared/crypto/index.ts';
import type { WireCodec } from '../../shared/crypto/wire.ts';
import { PROTOCOL_PATH } from '../../scripts/doc-section.ts';
import { WIRE_TABLES, documentedWireTables, renderWireTables } from '../../scripts/wire-tables.ts';
import keyLog from '../vectors/key-log.json' with { type: 'json' };
import identity from '../vectors/identity.json' with { type: 'json' };

await crypto.initSodium();

/** Local (never sent) state: persisted by a client for itself, not part of the wire protocol. */
const LOCAL_ONLY = new Set(['sendingChain']);

describe('JSON wire schemas (PROTOCOL.md Appendix A)', () => {
  it('the appendix is the rendering of the codec specs (run: npx tsx scripts/wire-tables.ts --write)', () => {
    const documented = documentedWireTables(readFileSync(PROTOCOL_PATH, 'utf8'));
    expect(documented, 'wire-tables markers missing in PROTOCOL.md').not.toBeNull();
    expect(documented).toBe(renderWireTables());
  });

  it('every exported protocol codec has a table', () => {
    const exported = Object.values(crypto as Record<string, unknown>).filter(
      (v): v is WireCodec<unknown> => typeof v === 'object' && v !== null && 'spec' in v && 'toWire' in v && 'fromWire' in v,
    );
    expect(exported.length).toBeGreaterThanOrEqual(WIRE_TABLES.length);
    const documented = new Set(WIRE_TABLES.map((t) => t.codec.name));
    for (const c of exported) if (!LOCAL_ONLY.has(c.name)) expect(documented.has(c.name), c.name).toBe(true);
  });

  it('the tree head vector is the wire object: it carries v like its table and the signature covers v', () => {
    const head = keyLog.vectors[2]!.treeHead as Record<string, unknown>;
    expect(Object.keys(head)).toEqual(Object.keys(crypto.treeHeadCodec.spec));
    expect(head.v).toBe(1);
    const parsed = crypto.treeHeadCodec.fromWire(head);
    expect(crypto.toHex(crypto.encodeFields('liaison/v1/keylog-head', [crypto.u8(parsed.v), crypto.u64be(parsed.size), parsed.headHash, crypto.u64be(parsed.time)]))).toBe(keyLog.vectors[2]!.signatureInput);
    // An old-style head without v is refused, as the table says.
    const { v: _v, ...withoutV } = head;
    expect(() => crypto.treeHeadCodec.fromWire(withoutV)).toThrow(expect.objectContaining({ code: 'wire/invalid' }));
  });

  it('the signed-prekey hash vector is the hash of its table\'s members in field order', () => {
    const v = identity.vectors[3]! as { prekey: Record<string, unknown>; prekeyHash: string };
    expect(Object.keys(v.prekey)).toEqual(Object.keys(crypto.signedPrekeyCodec.spec));
    expect(crypto.toHex(crypto.prekeyHash(crypto.signedPrekeyCodec.fromWire(v.prekey)))).toBe(v.prekeyHash);
  });
});
