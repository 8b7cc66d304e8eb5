/**
 * Declared request metadata against the signed payload (PROTOCOL.md §9.2 "Declared metadata"): the server sees and
 * enforces only the declared copy, so the receiving client refuses a request message whose declared metadata differs
 * from what the sender signed inside the envelope, or that lacks it.
 */
import type { Payload } from '../crypto/payload.ts';
import type { RequestDeclared } from '../schemas/requests.ts';

/** The declared metadata a payload calls for (no case index, no requested agency: the payload does not carry them), or null. */
export function declaredFor(p: Payload): RequestDeclared | null {
  switch (p.kind) {
    case 'request':
      return { ref: p.requestRef, kind: 'request', template: p.template, urgency: p.urgency, directAccess: p.dataAccess === 'direct' };
    case 'request-answer':
      return { ref: p.requestRef, kind: 'answer', state: p.completeness };
    case 'request-clarification':
      return { ref: p.requestRef, kind: 'clarification', state: p.step };
    case 'request-refusal':
      return { ref: p.requestRef, kind: 'refusal', ground: p.ground };
    case 'request-judicial-pending':
      return { ref: p.requestRef, kind: 'judicial-pending' };
    case 'request-withdrawal':
      return { ref: p.requestRef, kind: 'withdrawal' };
    default:
      return null;
  }
}

/** Null when the served metadata matches the payload, else what differs (for the security notice). */
export function declaredMismatch(served: RequestDeclared | undefined, p: Payload): string | null {
  const expected = declaredFor(p);
  if (!expected) return served ? `a ${p.kind} payload was served with request metadata` : null;
  if (!served) return `a ${p.kind} payload was served without its request metadata`;
  for (const [k, v] of Object.entries(expected)) {
    const got = (served as Record<string, unknown>)[k] ?? (k === 'directAccess' ? false : undefined);
    if (got !== v) return `declared ${k} ${JSON.stringify(got)} differs from the signed ${JSON.stringify(v)}`;
  }
  const extra = Object.keys(served).filter((k) => !(k in expected) && k !== 'requestedAgencyId');
  return extra.length > 0 ? `declared ${extra[0]} does not belong to a ${expected.kind}` : null;
}
