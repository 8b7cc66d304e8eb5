import type { HandlingCode } from '../../../../shared/crypto/handling.ts';

export type { HandlingCode };
export const HANDLING_CODES: readonly HandlingCode[] = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'];

export interface TlpStyle {
  label: string;
  /** TLP 2.0 colours (FIRST): coloured text on black, CLEAR is black on white with a border. */
  color: string;
  background: string;
  border: string;
  meaning: string;
}

export const TLP_STYLES: Record<HandlingCode, TlpStyle> = {
  'TLP:CLEAR': { label: 'TLP:CLEAR', color: '#000000', background: '#FFFFFF', border: '#000000', meaning: 'Disclosure is not limited.' },
  'TLP:GREEN': { label: 'TLP:GREEN', color: '#33FF00', background: '#000000', border: '#000000', meaning: 'Limited to the community; not public.' },
  'TLP:AMBER': {
    label: 'TLP:AMBER',
    color: '#FFC000',
    background: '#000000',
    border: '#000000',
    meaning: 'Limited to the recipients’ organisations and agencies covered by the same agreement.',
  },
  'TLP:AMBER+STRICT': {
    label: 'TLP:AMBER+STRICT',
    color: '#FFC000',
    background: '#000000',
    border: '#000000',
    meaning: 'Limited to the recipient’s own agency only.',
  },
  'TLP:RED': { label: 'TLP:RED', color: '#FF2B2B', background: '#000000', border: '#000000', meaning: 'For the named recipients only; may not be forwarded.' },
};

export function tlpRank(code: HandlingCode): number {
  return HANDLING_CODES.indexOf(code);
}

/** Codes a sender may choose in a channel whose policy sets `minimum` (never below it). */
export function selectableCodes(minimum: HandlingCode = 'TLP:CLEAR'): HandlingCode[] {
  return HANDLING_CODES.filter((c) => tlpRank(c) >= tlpRank(minimum));
}

export type ForwardVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * DESIGN §4 as the UI shows it before the server and SDK enforce it: RED never; AMBER+STRICT only
 * inside the sender's agency; AMBER only where every agency of the target is covered by the source
 * channel's agreement.
 */
export function forwardVerdict(
  code: HandlingCode,
  ctx: { myAgencyId: string; targetAgencyIds: string[]; sameAgreement: boolean },
): ForwardVerdict {
  if (code === 'TLP:RED') return { allowed: false, reason: 'TLP:RED may not be forwarded.' };
  if (code === 'TLP:AMBER+STRICT' && ctx.targetAgencyIds.some((a) => a !== ctx.myAgencyId)) {
    return { allowed: false, reason: 'TLP:AMBER+STRICT stays within your agency.' };
  }
  if (code === 'TLP:AMBER' && !ctx.sameAgreement && ctx.targetAgencyIds.some((a) => a !== ctx.myAgencyId)) {
    return { allowed: false, reason: 'TLP:AMBER may only go to agencies under the same agreement.' };
  }
  return { allowed: true };
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
 * trusted, and (for AMBER) whose member agencies are all parties of the source channel's agreement.
 * `partiesOf` gives an agreement's party agencies (empty when unknown: AMBER then stays in-agency).
 */
export function forwardTargets<C extends ForwardChannel>(code: HandlingCode, source: ForwardChannel, channels: C[], myAgencyId: string, partiesOf: (agreementId: string) => string[]): C[] {
  if (code === 'TLP:RED') return [];
  const parties = new Set(source.agreementId ? partiesOf(source.agreementId) : [myAgencyId]);
  return channels.filter((c) => {
    if (c.id === source.id || c.readOnly || c.untrusted) return false;
    const targetAgencyIds = [...new Set(c.members.map((m) => m.agencyId))];
    const sameAgreement = targetAgencyIds.every((a) => parties.has(a));
    return forwardVerdict(code, { myAgencyId, targetAgencyIds, sameAgreement }).allowed;
  });
}
