import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from './config.ts';

/**
 * Paths pino must never write: credentials, tokens, TOTP codes, key material, message bodies.
 * Request bodies are not logged at all; these cover headers and any object we log by hand.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.totp',
  '*.code',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.enrolmentToken',
  '*.secret',
  '*.otpauthUri',
  '*.ciphertext',
  '*.privateKey',
  '*.keyBackup',
  'password',
  'token',
  'refreshToken',
  'accessToken',
];

export function loggerOptions(level: LogLevel): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Log method and route only: URLs of enrolment links or queries must not leak tokens.
      req(req) {
        const url = typeof req.url === 'string' ? req.url.split('?')[0] : undefined;
        return { method: req.method, url, remoteAddress: req.ip };
      },
    },
  };
}
