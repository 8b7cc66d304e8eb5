import crypto from 'node:crypto';

/** 256-bit opaque tokens (refresh, enrolment): base64url, stored only as SHA-256. */
export function newOpaqueToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newId(): string {
  return crypto.randomUUID();
}
