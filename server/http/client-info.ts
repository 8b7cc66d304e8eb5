import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '../auth/service.ts';

export function clientInfo(req: FastifyRequest): ClientInfo {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
}

/** Per-IP throttle for credential endpoints, so guessing is slow and one attacker cannot lock everyone out. */
export function credentialRateLimit(max: number, windowMs: number) {
  return { rateLimit: { max, timeWindow: windowMs } };
}
