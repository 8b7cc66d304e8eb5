import { AuditHeadBody, AuditPage, AuditQuery, AuditVerification } from '../schemas/audit.ts';
import { errorResponses } from '../schemas/common.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['audit'];

export const list = defineEndpoint({
  method: 'GET',
  path: '/audit',
  tags,
  summary: 'Audit events: all for platform admins, own agency for agency admins',
  query: AuditQuery,
  response: { 200: AuditPage, ...errorResponses(400, 401, 403) },
});

export const head = defineEndpoint({
  method: 'GET',
  path: '/audit/head',
  tags,
  summary: 'The newest signed audit head (administrators): clients remember the highest and alarm on a shorter chain',
  response: { 200: AuditHeadBody, ...errorResponses(401, 403) },
});

export const verify = defineEndpoint({
  method: 'GET',
  path: '/audit/verify',
  tags,
  summary: 'Recompute the audit hash chain and its signed checkpoints (platform admin)',
  response: { 200: AuditVerification, ...errorResponses(401, 403) },
});
