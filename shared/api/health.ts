import { Type } from 'typebox';
import { errorResponses } from '../schemas/common.ts';
import { defineEndpoint } from './endpoint.ts';

export const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });

const tags = ['health'];

export const live = defineEndpoint({ method: 'GET', path: '/health/live', root: true, public: true, tags, response: { 200: Health } });

export const ready = defineEndpoint({ method: 'GET', path: '/health/ready', root: true, public: true, tags, response: { 200: Health, ...errorResponses(503) } });
