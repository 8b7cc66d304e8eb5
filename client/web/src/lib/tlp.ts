import { forwardingAllowed, type HandlingCode } from '../../../../shared/crypto/handling.ts';
import { CODE_TEXT } from './codes-text.ts';

export type { HandlingCode };
/** The TLP 2.0 codes (new channels choose a minimum among them); Europol channels list their codes in their policy. */
export const HANDLING_CODES: readonly HandlingCode[] = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'];

export interface TlpStyle {
  label: string;
  /** TLP 2.0 colours (FIRST): coloured text on black, CLEAR is black on white with a border. */
  color: string;
  background: string;
  border: string;
  /** The published TLP 2.0 definition (FIRST, https://www.first.org/tlp/), as Liaison applies it. */
  meaning: string;
}

export const TLP_STYLES: Record<HandlingCode, TlpStyle> = {
  'TLP:CLEAR': { label: 'TLP:CLEAR', color: '#000000', background: '#FFFFFF', border: '#000000', meaning: 'Recipients can spread this to the world; there is no limit on disclosure.' },
  'TLP:GREEN': { label: 'TLP:GREEN', color: '#33FF00', background: '#000000', border: '#000000', meaning: 'Limited disclosure: recipients can spread this within their community, but not publicly.' },
  'TLP:AMBER': {
    label: 'TLP:AMBER',
    color: '#FFC000',
    background: '#000000',
    border: '#000000',
    meaning:
      'Limited disclosure: recipients can only spread this on a need-to-know basis within their organisation and its clients (institutions it sponsors with extended access) — not to other agencies of the agreement.',
  },
  'TLP:AMBER+STRICT': {
    label: 'TLP:AMBER+STRICT',
    color: '#FFC000',
    background: '#000000',
    border: '#000000',
    meaning: 'Limited disclosure: recipients can only spread this on a need-to-know basis within their own organisation.',
  },
  'TLP:RED': { label: 'TLP:RED', color: '#FF2B2B', background: '#000000', border: '#000000', meaning: 'For the eyes and ears of individual recipients only; no further disclosure (never forwarded).' },
  // Europol handling codes (SIENA), paraphrased (docs/CODES.md): black on white, told apart by their label.
  H0: { label: 'H0', color: '#000000', background: '#FFFFFF', border: '#000000', meaning: CODE_TEXT.H0 },
  H1: { label: 'H1', color: '#000000', background: '#FFFFFF', border: '#000000', meaning: CODE_TEXT.H1 },
  H2: { label: 'H2', color: '#000000', background: '#FFFFFF', border: '#000000', meaning: CODE_TEXT.H2 },
  H3: { label: 'H3', color: '#000000', background: '#FFFFFF', border: '#000000', meaning: CODE_TEXT.H3 },
};

export function tlpRank(code: HandlingCode): number {
  const i = HANDLING_CODES.indexOf(code);
  return i >= 0 ? i : ['H0', 'H1', 'H2', 'H3'].indexOf(code);
}

/** Codes a sender may choose in a channel whose policy sets `minimum` (never below it). */
export function selectableCodes(minimum: HandlingCode = 'TLP:CLEAR'): HandlingCode[] {
  return HANDLING_CODES.filter((c) => tlpRank(c) >= tlpRank(minimum));
}

export type ForwardVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * PROTOCOL.md §8 (`forwardingAllowed`, which the server enforces) with the reason in plain words: RED never;
 * AMBER+STRICT only inside the recipient's agency; AMBER only inside the agency and its clients (the institutions
 * it sponsors with an active extended-access grant).
 */
export function forwardVerdict(
  code: HandlingCode,
  ctx: { myAgencyId: string; targetAgencyIds: string[]; clientAgencyIds: readonly string[]; grantedAgencyIds?: readonly string[] },
): ForwardVerdict {
  if (forwardingAllowed({ code, recipientAgencyId: ctx.myAgencyId, targetAgencyIds: ctx.targetAgencyIds, clientAgencyIds: ctx.clientAgencyIds, ...(ctx.grantedAgencyIds ? { grantedAgencyIds: ctx.grantedAgencyIds } : {}) })) return { allowed: true };
  switch (code) {
    case 'TLP:RED':
      return { allowed: false, reason: 'TLP:RED may not be forwarded.' };
    case 'TLP:AMBER+STRICT':
      return { allowed: false, reason: 'TLP:AMBER+STRICT stays within your agency.' };
    case 'H2':
      return { allowed: false, reason: 'H2 may not be passed on without the permission of the agency that provided it: ask it for a grant.' };
    default:
      return { allowed: false, reason: 'TLP:AMBER stays within your agency and the institutions it sponsors.' };
  }
}

export interface ForwardChannel {
  id: string;
  agreementId: string | null;
  readOnly: string | null;
  untrusted: string | null;
  members: { officerId: string; agencyId: string }[];
}

/**
 * The channels a message may be forwarded to, per `forwardVerdict`: not the source itself, writable and
 * trusted, and whose member agencies the code allows. `clientAgencyIds` are my agency's clients (institutions
 * holding an active extended-access grant from it; empty when it sponsors none or they are unknown).
 * `grantedAgencyIds` (H2 only): the agencies the originator's valid `onward-to-third-party` grants name (§8.3);
 * without one an H2 message has no target.
 */
export function forwardTargets<C extends ForwardChannel>(
  code: HandlingCode,
  source: ForwardChannel,
  channels: C[],
  myAgencyId: string,
  clientAgencyIds: readonly string[],
  grantedAgencyIds: readonly string[] = [],
): C[] {
  if (code === 'TLP:RED' || (code === 'H2' && grantedAgencyIds.length === 0)) return [];
  return channels.filter((c) => {
    if (c.id === source.id || c.readOnly || c.untrusted) return false;
    const targetAgencyIds = [...new Set(c.members.map((m) => m.agencyId))];
    return forwardVerdict(code, { myAgencyId, targetAgencyIds, clientAgencyIds, grantedAgencyIds }).allowed;
  });
}
