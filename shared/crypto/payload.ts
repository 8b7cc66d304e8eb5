import { fromUtf8, utf8 } from './encoding.ts';
import { CryptoError, PayloadError } from './errors.ts';
import { AGREEMENT_SCOPES } from './agreement.ts';
import { COUNTRY_CODE_LIST } from '../countries.ts';
import { checkReceivedSiteAddress, normaliseSiteAddress } from './site-address.ts';
import { GRANT_PAYLOAD_SPECS } from './grant-payload.ts';
import type { UseGrantPayload, UseGrantRequestPayload } from './grant-payload.ts';
import { REPLY_FIELDS, correctionSpecs } from './correction-payload.ts';
import type { CorrectionPayload, ReplyRef } from './correction-payload.ts';
import { arr, bytes, id, int, lit, obj, oneOf, opt, str, wireCodec } from './wire.ts';
import type { WireCodec, WireSpec } from './wire.ts';
import { ANSWER_COMPLETENESS, CLARIFICATION_STEPS, DATA_ACCESS, REFUSAL_GROUND_CODES, REQUEST_TEMPLATES, REQUEST_URGENCIES } from '../requests/lifecycle.ts';
import type { DataAccess, RefusalGround, RequestTemplate, RequestUrgency } from '../requests/lifecycle.ts';

export const MAX_TEXT_CHARS = 32_768;
const text = str(MAX_TEXT_CHARS);
const ref = str(256);

/** `replyTo` and `mentions`: PROTOCOL.md §9.3. */
export interface TextPayload { kind: 'text'; text: string; replyTo?: ReplyRef; mentions?: string[] }
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
/** CND Res. 45/9 ¶4: the consignment continues "either untouched, completely or partially replaced or partially removed". */
export const SUBSTITUTION_MODES = ['untouched', 'completely-replaced', 'partially-replaced', 'partially-removed'] as const;
export const MAX_CHECKPOINT_CHARS = 256;
export const MAX_CONSENTS = 16;
/** A state's consent to the controlled delivery on its territory: its ISO 3166-1 alpha-2 code and its reference. */
export interface ControlledDeliveryConsent {
  country: string;
  reference: string;
}
export interface ControlledDeliveryUpdatePayload {
  kind: 'controlled-delivery-update';
  operationRef: string;
  status: (typeof CONTROLLED_DELIVERY_STATUSES)[number];
  location?: string;
  eta?: number;
  notes?: string;
  substitution?: (typeof SUBSTITUTION_MODES)[number];
  country?: string;
  checkpoint?: string;
  consents?: ControlledDeliveryConsent[];
}
export const SITE_URL_MAX_CHARS = 2048;
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
/** A request's id, chosen by the requesting client and unique per channel: the state changes name it. */
export const MAX_REQUEST_REF_CHARS = 128;
export const MAX_DATA_CATEGORIES = 32;
/** A structured request (Directive (EU) 2023/977 Art. 4; PROTOCOL.md §9.2). `urgencyReasons` is required when urgent. */
export interface RequestPayload {
  kind: 'request';
  requestRef: string;
  template: RequestTemplate;
  urgency: RequestUrgency;
  urgencyReasons?: string;
  dataAccess: DataAccess;
  purpose: string;
  legalBasis: string;
  dataCategories: string[];
  requestedInformation: string;
  caseRef?: string;
}
/**
 * One fact of a structured answer, with its own optional evaluation (`A1`, `1-B-P`): the sender's and the receiver's
 * SDK check each against the channel's evaluation profile (`checkMessageCodes`, PROTOCOL.md §8.2).
 */
export interface FactItem { text: string; evaluation?: string }
export const MAX_FACT_ITEMS = 64;
export const MAX_FACT_ITEM_CHARS = 4096;
export interface RequestAnswerPayload { kind: 'request-answer'; requestRef: string; completeness: 'full' | 'partial'; text: string; items?: FactItem[] }
export interface RequestClarificationPayload { kind: 'request-clarification'; requestRef: string; step: 'asked' | 'given'; text: string }
export interface RequestRefusalPayload { kind: 'request-refusal'; requestRef: string; ground: RefusalGround; text: string }
export interface RequestJudicialPendingPayload { kind: 'request-judicial-pending'; requestRef: string; text: string; expectedBy?: number }
export interface RequestWithdrawalPayload { kind: 'request-withdrawal'; requestRef: string; text: string }
export type RequestLifecyclePayload =
  | RequestPayload
  | RequestAnswerPayload
  | RequestClarificationPayload
  | RequestRefusalPayload
  | RequestJudicialPendingPayload
  | RequestWithdrawalPayload;
export type Payload =
  | TextPayload
  | CaseNotePayload
  | RequestForAssistancePayload
  | ControlledDeliveryUpdatePayload
  | ReportedSitePayload
  | FilePayload
  | DeskIntakeKeyPayload
  | RequestLifecyclePayload
  // The permission workflow (§8.3, grant-payload.ts).
  | UseGrantRequestPayload
  | UseGrantPayload
  // Corrections (§9.3, correction-payload.ts).
  | CorrectionPayload;
export type PayloadKind = Payload['kind'];

/** ISO 3166-1 alpha-2, upper case (shared/countries.ts). */
const country = oneOf(COUNTRY_CODE_LIST);

const requestRef = str(MAX_REQUEST_REF_CHARS);

const specs: Record<PayloadKind, WireSpec> = {
  text: { kind: lit('text'), text, ...REPLY_FIELDS },
  'case-note': { kind: lit('case-note'), caseRef: ref, text },
  'request-for-assistance': { kind: lit('request-for-assistance'), caseRef: ref, scope: oneOf(AGREEMENT_SCOPES), subject: str(512), details: text, dueBy: opt(int) },
  'controlled-delivery-update': {
    kind: lit('controlled-delivery-update'),
    operationRef: ref,
    status: oneOf(CONTROLLED_DELIVERY_STATUSES),
    location: opt(str(512)),
    eta: opt(int),
    notes: opt(text),
    substitution: opt(oneOf(SUBSTITUTION_MODES)),
    country: opt(country),
    checkpoint: opt(str(MAX_CHECKPOINT_CHARS)),
    consents: opt(arr(obj({ country, reference: ref }), MAX_CONSENTS)),
  },
  'reported-site': { kind: lit('reported-site'), url: str(SITE_URL_MAX_CHARS), category: oneOf(SITE_CATEGORIES), notes: opt(text) },
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
  request: {
    kind: lit('request'),
    requestRef,
    template: oneOf(REQUEST_TEMPLATES),
    urgency: oneOf(REQUEST_URGENCIES),
    urgencyReasons: opt(str(4096)),
    dataAccess: oneOf(DATA_ACCESS),
    purpose: str(4096),
    legalBasis: str(1024),
    dataCategories: arr(str(256), MAX_DATA_CATEGORIES),
    requestedInformation: text,
    caseRef: opt(ref),
  },
  'request-answer': {
    kind: lit('request-answer'),
    requestRef,
    completeness: oneOf(ANSWER_COMPLETENESS),
    text,
    items: opt(arr(obj({ text: str(MAX_FACT_ITEM_CHARS), evaluation: opt(str(16)) }), MAX_FACT_ITEMS)),
  },
  'request-clarification': { kind: lit('request-clarification'), requestRef, step: oneOf(CLARIFICATION_STEPS), text },
  'request-refusal': { kind: lit('request-refusal'), requestRef, ground: oneOf(REFUSAL_GROUND_CODES), text },
  'request-judicial-pending': { kind: lit('request-judicial-pending'), requestRef, text, expectedBy: opt(int) },
  'request-withdrawal': { kind: lit('request-withdrawal'), requestRef, text },
  ...GRANT_PAYLOAD_SPECS,
  ...correctionSpecs(text),
};
/** The field table of every kind (read-only; docs/PROTOCOL.md §9.1 is rendered from it by scripts/payload-tables.ts). */
export const PAYLOAD_SPECS: Readonly<Record<PayloadKind, WireSpec>> = specs;
const codecs = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, wireCodec<Payload>(`payload:${k}`, s)])) as Record<PayloadKind, WireCodec<Payload>>;
export const PAYLOAD_KINDS = Object.keys(specs) as PayloadKind[];

/** The evaluations of a payload's items (PROTOCOL.md §8.2 "Evaluation per item"), in order; empty for kinds without items. */
export function itemEvaluations(p: Payload): string[] {
  if (p.kind !== 'request-answer' || !p.items) return [];
  return p.items.flatMap((i) => (i.evaluation === undefined ? [] : [i.evaluation]));
}

/** Rules the field table cannot say. `sending` applies the send rules and returns the normalised payload. */
function semanticCheck(p: Payload, sending: boolean): Payload {
  if (p.kind === 'reported-site') {
    if (!sending) {
      checkReceivedSiteAddress(p.url);
      return p;
    }
    const url = normaliseSiteAddress(p.url);
    if (url.length > SITE_URL_MAX_CHARS) throw new PayloadError('payload/invalid', `validatePayload: url is longer than ${SITE_URL_MAX_CHARS} characters once normalised`);
    return { ...p, url };
  }
  // Art. 4: an urgent request gives the reasons for its urgency.
  if (p.kind === 'request' && p.urgency === 'urgent' && p.urgencyReasons === undefined) {
    throw new PayloadError('payload/invalid', 'validatePayload: an urgent request needs urgencyReasons');
  }
  for (const [name, f] of Object.entries(specs[p.kind])) {
    const list = (p as unknown as Record<string, unknown>)[name];
    if ((f.t === 'arr' || (f.t === 'opt' && f.of.t === 'arr')) && Array.isArray(list) && list.length === 0) {
      throw new PayloadError('payload/invalid', `validatePayload: ${name}, when present, has at least one element (absent or null for none)`);
    }
  }
  return p;
}

/** The first member outside the spec, nested objects and arrays of objects included (the encoder would drop it). */
function unknownMember(spec: WireSpec, value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  for (const [k, v] of Object.entries(value)) {
    const f = Object.hasOwn(spec, k) ? spec[k]! : undefined;
    if (!f) return `${path}${k}`;
    const inner = f.t === 'opt' ? f.of : f;
    const item = inner.t === 'arr' ? inner.of : inner;
    if (item.t !== 'obj') continue;
    const items = inner.t === 'arr' && Array.isArray(v) ? v : [v];
    for (const [i, x] of items.entries()) {
      const found = unknownMember(item.spec, x, inner.t === 'arr' ? `${path}${k}[${i}].` : `${path}${k}.`);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * The send rules (PROTOCOL.md §9.1): known kind, no extra fields, lengths and vocabularies respected, and the
 * semantic rules; returns the payload to send, normalised (a `reported-site` url in its normalised form).
 */
export function validatePayload(value: unknown): Payload {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(specs, kind)) throw new PayloadError('payload/unknown-kind', 'validatePayload: unknown payload kind');
  const extra = unknownMember(specs[kind as PayloadKind], value, '');
  if (extra !== null) throw new PayloadError('payload/invalid', `validatePayload: unknown field ${extra}`);
  let p: Payload;
  try {
    const codec = codecs[kind as PayloadKind];
    p = codec.fromWire(codec.toWire(value as Payload));
  } catch (cause) {
    if (cause instanceof CryptoError || cause instanceof TypeError) throw new PayloadError('payload/invalid', 'validatePayload: invalid fields', { cause });
    throw cause;
  }
  return semanticCheck(p, true);
}

/**
 * Payload bytes are UTF-8 JSON with binary fields in base64url; they are only ever encrypted, never signed alone.
 * Applies the send rules and encodes the normalised payload (`validatePayload`).
 */
export function encodePayload(p: Payload): Uint8Array {
  const v = validatePayload(p);
  return utf8(JSON.stringify(codecs[v.kind].toWire(v)));
}

/**
 * Encodes a payload that `decodePayload` returned, as it is (receive rules, no normalisation): for a client's own
 * store, where a payload sent before the send rules tightened must still fit.
 */
export function reencodePayload(p: Payload): Uint8Array {
  const codec = codecs[p.kind];
  let value: Payload;
  try {
    value = codec.fromWire(codec.toWire(p));
  } catch (cause) {
    throw new PayloadError('payload/invalid', 'reencodePayload: invalid fields', { cause });
  }
  semanticCheck(value, false);
  return utf8(JSON.stringify(codec.toWire(value)));
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
  return semanticCheck(p, false);
}
