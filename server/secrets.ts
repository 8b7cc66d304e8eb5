import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Key material the server needs; generated on first start, kept in DATA_DIR/secrets with 0600 permissions. */
export interface ServerSecrets {
  jwtPrivateKeyPem: string;
  jwtPublicKeyPem: string;
  /** 32-byte Ed25519 seed for signing audit checkpoints (and later key-log tree heads). */
  auditSigningSeed: Uint8Array;
  /** 32-byte key sealing TOTP seeds at rest. */
  dataKey: Uint8Array;
  /** 32-byte Ed25519 seed for signing key-transparency tree heads (separate from the audit key). */
  keyLogSigningSeed: Uint8Array;
  /** VAPID (RFC 8292) P-256 key pair for Web Push, base64url: the 65-byte public point and the 32-byte private scalar. */
  vapid: VapidKeys;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const VAPID_PUBLIC_BYTES = 65;
const VAPID_PRIVATE_BYTES = 32;

const SEED_BYTES = 32;

/** Set while loading for a cluster: a missing key file is an error, never generated (each node would make its own). */
let refuseToCreate = false;

function readOrCreate(file: string, create: () => Buffer | string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (refuseToCreate) {
    throw new Error(
      `Server secret ${file} is missing. Several nodes must share one SECRETS_DIR: create it once (start one node without SECRETS_DIR and copy its DATA_DIR/secrets folder there) before starting the nodes; see docs/CLUSTER.md`,
    );
  }
  const content = create();
  // 'wx' refuses to overwrite a key written concurrently by another process.
  try {
    fs.writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file);
}

function readSeed(file: string): Uint8Array {
  const raw = readOrCreate(file, () => crypto.randomBytes(SEED_BYTES).toString('base64') + '\n');
  const seed = Buffer.from(raw.toString('utf8').trim(), 'base64');
  if (seed.length !== SEED_BYTES) throw new Error(`readSeed: ${file} does not hold a ${SEED_BYTES}-byte key`);
  return new Uint8Array(seed);
}

function readVapid(file: string): VapidKeys {
  const raw = readOrCreate(file, () => {
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.generateKeys();
    const keys: VapidKeys = { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: ecdh.getPrivateKey().toString('base64url') };
    return JSON.stringify(keys) + '\n';
  });
  const keys = JSON.parse(raw.toString('utf8')) as Partial<VapidKeys>;
  const pub = Buffer.from(keys.publicKey ?? '', 'base64url');
  // getPrivateKey() drops leading zero bytes; pad back to the fixed scalar width.
  const priv = Buffer.from(keys.privateKey ?? '', 'base64url');
  if (pub.length !== VAPID_PUBLIC_BYTES || priv.length === 0 || priv.length > VAPID_PRIVATE_BYTES) {
    throw new Error(`readVapid: ${file} does not hold a P-256 key pair`);
  }
  const padded = Buffer.concat([Buffer.alloc(VAPID_PRIVATE_BYTES - priv.length), priv]);
  return { publicKey: pub.toString('base64url'), privateKey: padded.toString('base64url') };
}

/**
 * The server keys from `secretsDir` (default DATA_DIR/secrets), generated on first use. With
 * `cluster` (the PostgreSQL store) missing keys are refused instead: two nodes generating their own
 * would sign tokens and seal TOTP seeds the other cannot read.
 */
export function loadOrCreateSecrets(dataDir: string, opts: { secretsDir?: string | null; cluster?: boolean } = {}): ServerSecrets {
  const dir = opts.secretsDir ?? path.join(dataDir, 'secrets');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  refuseToCreate = opts.cluster === true;
  try {
    return loadFrom(dir);
  } finally {
    refuseToCreate = false;
  }
}

function loadFrom(dir: string): ServerSecrets {
  const privPem = readOrCreate(path.join(dir, 'jwt-ed25519.pem'), () => {
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }).toString('utf8');
  const publicKeyPem = crypto.createPublicKey(privPem).export({ format: 'pem', type: 'spki' }).toString();
  return {
    jwtPrivateKeyPem: privPem,
    jwtPublicKeyPem: publicKeyPem,
    auditSigningSeed: readSeed(path.join(dir, 'audit-ed25519.seed')),
    dataKey: readSeed(path.join(dir, 'data.key')),
    keyLogSigningSeed: readSeed(path.join(dir, 'keylog-ed25519.seed')),
    vapid: readVapid(path.join(dir, 'vapid.json')),
  };
}
