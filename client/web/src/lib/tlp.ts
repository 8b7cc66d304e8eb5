import { forwardingAllowed, type HandlingCode } from '../../../../shared/crypto/handling.ts';
import { fixedT } from '../i18n/i18n.ts';
import { CODE_TEXT } from './codes-text.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('tlp')(key, values);

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

/** A style whose `meaning` reads the current language when accessed. */
function style(label: string, color: string, background: string, border: string, meaning: () => string): TlpStyle {
  return Object.defineProperty({ label, color, background, border } as TlpStyle, 'meaning', { enumerable: true, get: meaning });
}

export const TLP_STYLES: Record<HandlingCode, TlpStyle> = {
  'TLP:CLEAR': style('TLP:CLEAR', '#000000', '#FFFFFF', '#000000', () => t('meaningClear')),
  'TLP:GREEN': style('TLP:GREEN', '#33FF00', '#000000', '#000000', () => t('meaningGreen')),
  'TLP:AMBER': style('TLP:AMBER', '#FFC000', '#000000', '#000000', () => t('meaningAmber')),
  'TLP:AMBER+STRICT': style('TLP:AMBER+STRICT', '#FFC000', '#000000', '#000000', () => t('meaningAmberStrict')),
  'TLP:RED': style('TLP:RED', '#FF2B2B', '#000000', '#000000', () => t('meaningRed')),
  // Europol handling codes (SIENA), paraphrased (docs/CODES.md): black on white, told apart by their label.
  H0: style('H0', '#000000', '#FFFFFF', '#000000', () => CODE_TEXT.H0),
  H1: style('H1', '#000000', '#FFFFFF', '#000000', () => CODE_TEXT.H1),
  H2: style('H2', '#000000', '#FFFFFF', '#000000', () => CODE_TEXT.H2),
  H3: style('H3', '#000000', '#FFFFFF', '#000000', () => CODE_TEXT.H3),
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
      return { allowed: false, reason: t('forwardRed') };
    case 'TLP:AMBER+STRICT':
      return { allowed: false, reason: t('forwardAmberStrict') };
    case 'H2':
      return { allowed: false, reason: t('forwardH2') };
    default:
      return { allowed: false, reason: t('forwardAmber') };
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
