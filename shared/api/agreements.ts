import { Type } from 'typebox';
import { Agreement, AgreementStatusBody, ProposeAgreementBody, SignAgreementBody } from '../schemas/agreements.ts';
import { IdParams, errorResponses } from '../schemas/common.ts';
import { defineEndpoint } from './endpoint.ts';

export const AgreementBody = Type.Object({ agreement: Agreement });

const tags = ['agreements'];

export const propose = defineEndpoint({
  method: 'POST',
  path: '/agreements',
  tags,
  summary: 'Propose an agreement (agency admin of a party); the server fixes id, version, order and text hash',
  body: ProposeAgreementBody,
  response: { 201: AgreementBody, ...errorResponses(400, 401, 403, 409) },
});

export const list = defineEndpoint({
  method: 'GET',
  path: '/agreements',
  tags,
  summary: 'Agreements your agency is a party to (platform admin: all)',
  response: { 200: Type.Object({ agreements: Type.Array(Agreement) }), ...errorResponses(401) },
});

export const get = defineEndpoint({
  method: 'GET',
  path: '/agreements/:id',
  tags,
  summary: 'One agreement with its signatures',
  params: IdParams,
  response: { 200: AgreementBody, ...errorResponses(401, 404) },
});

export const sign = defineEndpoint({
  method: 'POST',
  path: '/agreements/:id/signatures',
  tags,
  summary: 'Sign the canonical terms for your agency (agency admin of a party, with registered keys)',
  params: IdParams,
  body: SignAgreementBody,
  response: { 200: AgreementBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const TRANSITIONS = ['suspend', 'reactivate', 'terminate'] as const;
export type Transition = (typeof TRANSITIONS)[number];

const transition = <const K extends Transition>(kind: K) =>
  defineEndpoint({
    method: 'POST',
    path: `/agreements/:id/${kind}`,
    tags,
    summary: `${kind[0]!.toUpperCase()}${kind.slice(1)} an agreement (admin of a party)${kind === 'terminate' ? '; final' : ''}`,
    params: IdParams,
    body: Type.Optional(AgreementStatusBody),
    response: { 200: AgreementBody, ...errorResponses(400, 401, 403, 404, 409) },
  });

/** Suspend, reactivate, terminate: one contract each, same shape. */
export const transitions = { suspend: transition('suspend'), reactivate: transition('reactivate'), terminate: transition('terminate') };
