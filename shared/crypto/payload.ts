import { fromUtf8, utf8 } from './encoding.ts';
import { CryptoError, PayloadError } from './errors.ts';
import { AGREEMENT_SCOPES } from './agreement.ts';
import { bytes, id, int, lit, oneOf, opt, str, wireCodec } from './wire.ts';
import type { WireCodec, WireSpec } from './wire.ts';

export const MAX_TEXT_CHARS = 32_768;
const text = str(MAX_TEXT_CHARS);
const ref = str(256);

export interface TextPayload { kind: 'text'; text: string }
export interface CaseNotePayload { kind: 'case-note'; caseRef: string; text: string }
export interface RequestForAssistancePayload {
  kind: 'request-for-assistance';
  caseRef: string;
  scope: (typeof AGREEMENT_SCOPES)[number];
  subject: string;
  details: string;
  dueBy?: number;
}
export const CONTROLLED_DELIVERY_STATUSES = ['planned', 'in-transit', 'delivered', 'seized', 'aborted'] as const;
export interface ControlledDeliveryUpdatePayload {
  kind: 'controlled-delivery-update';
  operationRef: string;
  status: (typeof CONTROLLED_DELIVERY_STATUSES)[number];
  location?: string;
  eta?: number;
  notes?: string;
}
export const SITE_CATEGORIES = ['marketplace', 'vendor-shop', 'forum', 'messaging-group', 'other'] as const;
export interface ReportedSitePayload {
  kind: 'reported-site';
  url: string;
  category: (typeof SITE_CATEGORIES)[number];
  notes?: string;
}
/** The attachment's key, stream header and ciphertext hash travel only inside the encrypted message. */
export interface FilePayload {
  kind: 'file';
  fileId: string;
  name: string;
  mimeType: string;
  size: number;
  key: Uint8Array;
  header: Uint8Array;
  hash: Uint8Array;
  caption?: string;
}
/**
 * The private half of a desk's intake key (PROTOCOL.md §11), sent only inside the desk's own E2E channel.
 * A receiver accepts it only against the supervisor-signed intake key statement (`acceptIntakeSecret`).
 */
export interface DeskIntakeKeyPayload {
  kind: 'desk-intake-key';
  deskId: string;
  version: number;
  secretKey: Uint8Array;
}
export type Payload =
  | TextPayload
  | CaseNotePayload
  | RequestForAssistancePayload
  | ControlledDeliveryUpdatePayload
  | ReportedSitePayload
  | FilePayload
  | DeskIntakeKeyPayload;
export type PayloadKind = Payload['kind'];

const specs: Record<PayloadKind, WireSpec> = {
  text: { kind: lit('text'), text },
  'case-note': { kind: lit('case-note'), caseRef: ref, text },
  'request-for-assistance': { kind: lit('request-for-assistance'), caseRef: ref, scope: oneOf(AGREEMENT_SCOPES), subject: str(512), details: text, dueBy: opt(int) },
  'controlled-delivery-update': {
    kind: lit('controlled-delivery-update'),
    operationRef: ref,
    status: oneOf(CONTROLLED_DELIVERY_STATUSES),
    location: opt(str(512)),
    eta: opt(int),
    notes: opt(text),
  },
  'reported-site': { kind: lit('reported-site'), url: str(2048), category: oneOf(SITE_CATEGORIES), notes: opt(text) },
  file: {
    kind: lit('file'),
    fileId: id,
    name: str(255),
    mimeType: str(255),
    size: int,
    key: bytes(32),
    header: bytes(24),
    hash: bytes(32),
    caption: opt(text),
  },
  'desk-intake-key': { kind: lit('desk-intake-key'), deskId: id, version: { t: 'int', min: 1, max: 0xffff_ffff }, secretKey: bytes(32) },
};
/** The field table of every kind (read-only; docs/PROTOCOL.md §9.1 is rendered from it by scripts/payload-tables.ts). */
export const PAYLOAD_SPECS: Readonly<Record<PayloadKind, WireSpec>> = specs;
const codecs = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, wireCodec<Payload>(`payload:${k}`, s)])) as Record<PayloadKind, WireCodec<Payload>>;
export const PAYLOAD_KINDS = Object.keys(specs) as PayloadKind[];

function semanticCheck(p: Payload): void {
  if (p.kind === 'reported-site') {
    let url: URL;
    try {
      url = new URL(p.url);
    } catch (cause) {
      throw new PayloadError('payload/invalid', 'validatePayload: url does not parse', { cause });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PayloadError('payload/invalid', 'validatePayload: url must be http(s)');
  }
}

/** Strict validation: known kind, no extra fields, lengths and vocabularies respected. */
export function validatePayload(value: unknown): Payload {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(specs, kind)) throw new PayloadError('payload/unknown-kind', 'validatePayload: unknown payload kind');
  const extra = Object.keys(value as object).find((k) => !Object.hasOwn(specs[kind as PayloadKind], k));
  if (extra !== undefined) throw new PayloadError('payload/invalid', `validatePayload: unknown field ${extra}`);
  let p: Payload;
  try {
    const codec = codecs[kind as PayloadKind];
    p = codec.fromWire(codec.toWire(value as Payload));
  } catch (cause) {
    if (cause instanceof CryptoError || cause instanceof TypeError) throw new PayloadError('payload/invalid', 'validatePayload: invalid fields', { cause });
    throw cause;
  }
  semanticCheck(p);
  return p;
}

/** Payload bytes are UTF-8 JSON with binary fields in base64url; they are only ever encrypted, never signed alone. */
export function encodePayload(p: Payload): Uint8Array {
  validatePayload(p);
  return utf8(JSON.stringify(codecs[p.kind].toWire(p)));
}

export function decodePayload(b: Uint8Array): Payload {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(b));
  } catch (cause) {
    throw new PayloadError('payload/invalid', 'decodePayload: not UTF-8 JSON', { cause });
  }
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(specs, kind)) throw new PayloadError('payload/unknown-kind', 'decodePayload: unknown payload kind');
  let p: Payload;
  try {
    p = codecs[kind as PayloadKind].fromWire(json);
  } catch (cause) {
    throw new PayloadError('payload/invalid', 'decodePayload: invalid fields', { cause });
  }
  semanticCheck(p);
  return p;
}
