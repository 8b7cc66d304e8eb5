import type { HandlingCode, RequestPayload } from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import { formatDeadline, spocCopyRequestId, type RefusalGround, type RequestState } from '../../shared/requests/lifecycle.ts';
import { LiaisonClientError } from './errors.ts';
import type { SendResult } from '../../shared/schemas/channels.ts';
import type { RequestDeclared, RequestDetail, RequestView } from '../../shared/schemas/requests.ts';
import { caseRefIndex } from './case-index.ts';
import { newId, requireKeys, type SdkContext } from './context.ts';
import type { SendOptions } from './messaging.ts';
import type { FactItem, Payload } from '../../shared/crypto/index.ts';

type Send = (channelId: string, payload: Payload, opts: SendOptions) => Promise<SendResult>;

/** A new request: the Art. 4 fields; `requestRef` defaults to a fresh id, `dataAccess` to `indirect` (7 days). */
export type NewRequest = Omit<RequestPayload, 'kind' | 'requestRef' | 'dataAccess'> & {
  requestRef?: string;
  dataAccess?: RequestPayload['dataAccess'];
  /** The requested agency, when the channel has members of more than one other agency. */
  requestedAgencyId?: string;
};

export interface StepOptions {
  handling?: HandlingCode;
  /** The message's other codes (evaluation, conditions), as for a plain send. */
  codes?: SendOptions['codes'];
  messageId?: string;
}

/** A deadline as both parties read it: the instant, and its wall-clock time in each side's zone with the zone written out. */
export interface DeadlineViews {
  deadline: number;
  requested: { zone: string; text: string };
  requester: { zone: string; text: string };
}

export { formatDeadline };

/**
 * Requests and their lifecycle (docs/REQUESTS.md, PROTOCOL.md §9.2): each step is a signed message in the channel whose
 * declared metadata the server checks against the state machine; receivers check it against the payload.
 */
/** Seals a request payload to the agency's SPOC desk and stores it (Art. 4(1)): the copy's id. */
export type SealSpocCopy = (intake: { statement: Record<string, unknown>; signerCertificate: Record<string, unknown> }, requestId: string, payload: Payload) => Promise<Record<string, unknown>>;

export class RequestsApi {
  constructor(
    private readonly ctx: SdkContext,
    private readonly post: Send,
    private readonly sealSpocCopy?: SealSpocCopy,
  ) {}

  /**
   * Art. 4(1) (docs/REQUESTS.md "Copy to the single point of contact"): when the agency's rule is on, seals the request
   * payload to its SPOC desk (requestId `spoc-copy:<channel>:<ref>`), stores it and returns its id to declare.
   */
  private async spocCopy(channelId: string, payload: RequestPayload): Promise<string | undefined> {
    const me = this.ctx.officer;
    if (!me || !this.sealSpocCopy) return undefined;
    const settings = await this.ctx.http.call(api.requests.getSettings, { params: { id: me.agencyId } });
    if (settings.spocDeskId === null) return undefined;
    if (!settings.spoc) throw new LiaisonClientError('intake/no-key', "requests.send: the agency's single point of contact desk has no intake key");
    const request = await this.sealSpocCopy(settings.spoc, spocCopyRequestId(channelId, payload.requestRef), payload);
    return (await this.ctx.http.call(api.requests.submitSpocCopy, { params: { id: me.agencyId }, body: { request } })).id;
  }

  /**
   * Sends a request (an urgent one also pages the requested desk, if the channel belongs to one); the result's
   * `request` has the server's deadline and any `possibleDuplicates`.
   */
  async send(channelId: string, input: NewRequest, opts: StepOptions = {}): Promise<SendResult & { requestRef: string }> {
    const { requestedAgencyId, requestRef: ref, dataAccess, ...fields } = input;
    const requestRef = ref ?? newId();
    const payload: RequestPayload = { kind: 'request', requestRef, dataAccess: dataAccess ?? 'indirect', ...fields };
    // The case reference's blind index (this officer's key): the server hints at open duplicates without learning it.
    const caseIndex = input.caseRef ? caseRefIndex(requireKeys(this.ctx, 'requests.send'), input.caseRef) : undefined;
    const request: RequestDeclared = {
      ref: requestRef,
      kind: 'request',
      template: payload.template,
      urgency: payload.urgency,
      directAccess: payload.dataAccess === 'direct',
      ...(requestedAgencyId ? { requestedAgencyId } : {}),
      ...(caseIndex ? { caseIndex } : {}),
    };
    const spocCopy = await this.spocCopy(channelId, payload);
    if (spocCopy) request.spocCopy = spocCopy;
    return { ...(await this.post(channelId, payload, { ...opts, request, ...(payload.urgency === 'urgent' ? { urgent: true } : {}) })), requestRef };
  }

  /** The requested side: a full answer closes the request, a partial one leaves it open. */
  answer(channelId: string, requestRef: string, a: { completeness: 'full' | 'partial'; text: string; items?: FactItem[] }, opts: StepOptions = {}): Promise<SendResult> {
    return this.post(channelId, { kind: 'request-answer', requestRef, ...a }, { ...opts, request: { ref: requestRef, kind: 'answer', state: a.completeness } });
  }

  /** `asked` by the requested side (suspends the deadline, Art. 6(3)); `given` by the requester (resumes it). */
  clarify(channelId: string, requestRef: string, c: { step: 'asked' | 'given'; text: string }, opts: StepOptions = {}): Promise<SendResult> {
    return this.post(channelId, { kind: 'request-clarification', requestRef, ...c }, { ...opts, request: { ref: requestRef, kind: 'clarification', state: c.step } });
  }

  /** The requested side refuses on an Art. 6(1) ground `a`..`h` (REFUSAL_GROUNDS). */
  refuse(channelId: string, requestRef: string, r: { ground: RefusalGround; text: string }, opts: StepOptions = {}): Promise<SendResult> {
    return this.post(channelId, { kind: 'request-refusal', requestRef, ...r }, { ...opts, request: { ref: requestRef, kind: 'refusal', ground: r.ground } });
  }

  /** The requested side: judicial authorisation is pending (Art. 5(2)); the deadline may be exceeded as strictly necessary. */
  judicialPending(channelId: string, requestRef: string, j: { text: string; expectedBy?: number }, opts: StepOptions = {}): Promise<SendResult> {
    return this.post(channelId, { kind: 'request-judicial-pending', requestRef, ...j }, { ...opts, request: { ref: requestRef, kind: 'judicial-pending' } });
  }

  /** The requesting side withdraws the request. */
  withdraw(channelId: string, requestRef: string, w: { text: string }, opts: StepOptions = {}): Promise<SendResult> {
    return this.post(channelId, { kind: 'request-withdrawal', requestRef, ...w }, { ...opts, request: { ref: requestRef, kind: 'withdrawal' } });
  }

  async list(q: { role?: 'sent' | 'received'; state?: RequestState; overdue?: boolean } = {}): Promise<RequestView[]> {
    return (await this.ctx.http.call(api.requests.list, { query: q })).requests;
  }

  get(id: string): Promise<RequestDetail> {
    return this.ctx.http.call(api.requests.get, { params: { id } });
  }

  async deskOverdue(deskId: string): Promise<RequestView[]> {
    return (await this.ctx.http.call(api.requests.deskOverdue, { params: { id: deskId } })).requests;
  }

  async agencyOverdue(agencyId: string): Promise<RequestView[]> {
    return (await this.ctx.http.call(api.requests.agencyOverdue, { params: { id: agencyId } })).requests;
  }

  async timeZoneOf(agencyId: string): Promise<string> {
    return (await this.ctx.http.call(api.requests.getSettings, { params: { id: agencyId } })).timeZone;
  }

  /** The agency's request settings: zone and SPOC desk (Art. 4(1) copy rule; null when off). */
  async settings(agencyId: string): Promise<{ timeZone: string; spocDeskId: string | null }> {
    const { timeZone, spocDeskId } = await this.ctx.http.call(api.requests.getSettings, { params: { id: agencyId } });
    return { timeZone, spocDeskId };
  }

  /** Agency administrators: names the desk (of the agency, with an intake key) every outgoing request is copied to, or null. */
  async setSpocDesk(agencyId: string, spocDeskId: string | null): Promise<string | null> {
    return (await this.ctx.http.call(api.requests.putSettings, { params: { id: agencyId }, body: { spocDeskId } })).spocDeskId;
  }

  /** Agency administrators: the zone the agency's calendar-day deadlines are counted in. */
  async setTimeZone(agencyId: string, timeZone: string): Promise<string> {
    return (await this.ctx.http.call(api.requests.putSettings, { params: { id: agencyId }, body: { timeZone } })).timeZone;
  }

  /** The deadline in the requested side's zone (the one it was counted in) and in the requester agency's zone. */
  async deadlines(r: Pick<RequestView, 'deadline' | 'timeZone' | 'requesterAgencyId'>): Promise<DeadlineViews> {
    const requesterZone = await this.timeZoneOf(r.requesterAgencyId);
    return {
      deadline: r.deadline,
      requested: { zone: r.timeZone, text: formatDeadline(r.deadline, r.timeZone) },
      requester: { zone: requesterZone, text: formatDeadline(r.deadline, requesterZone) },
    };
  }
}
