/** Writes test/vectors/*.json. Run: npx tsx test/vectors/generate.ts */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encryptAttachment, initSodium, toHex } from '../../shared/crypto/index.ts';
import { attachmentVectorPlaintext, buildVectors } from './build.ts';

async function main(): Promise<void> {
  await initSodium();
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = buildVectors();
  // The stream header is random inside libsodium: generate it once and store the ciphertext.
  const att = files['attachment']!.vectors[0]! as { key: string; fileId: string; size: number } & Record<string, unknown>;
  const { ciphertext, secrets } = encryptAttachment(att.fileId, attachmentVectorPlaintext(att.size), { key: Uint8Array.from(Buffer.from(att.key, 'hex')) });
  Object.assign(att, { header: toHex(secrets.header), hash: toHex(secrets.hash), ciphertext: toHex(ciphertext) });
  for (const [name, file] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(file, null, 2)}\n`);
  }
  const count = Object.values(files).reduce((n, f) => n + f.vectors.length, 0);
  console.log(`wrote ${Object.keys(files).length} files, ${count} vectors to ${dir}`);
}

await main();
