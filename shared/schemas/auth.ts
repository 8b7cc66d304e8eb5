import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';
import { Officer } from './accounts.ts';

/** Upper bound only to stop hash-flooding; Argon2id hashes the whole password (no truncation). */
export const PASSWORD_MAX_CHARS = 1024;
export const PASSWORD_MIN_CHARS = 12;

const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_CHARS });
const TotpCode = Type.String({ pattern: '^[0-9]{6}$' });
const OpaqueToken = Type.String({ minLength: 16, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' });

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 128 }),
    password: Password,
    totp: TotpCode,
    deviceLabel: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const TokenPair = Type.Object({
  accessToken: Type.String(),
  accessTokenExpiresAt: Timestamp,
  refreshToken: Type.String(),
  sessionId: Id,
  officer: Officer,
});
export type TokenPair = Static<typeof TokenPair>;

export const RefreshBody = Type.Object({ refreshToken: OpaqueToken }, { additionalProperties: false });

export const EnrolmentLookupBody = Type.Object({ token: OpaqueToken }, { additionalProperties: false });
export const EnrolmentInfo = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  agencyName: Type.String(),
  expiresAt: Timestamp,
});

export const EnrolmentBeginBody = Type.Object(
  { token: OpaqueToken, password: Password },
  { additionalProperties: false },
);
export const EnrolmentBeginResult = Type.Object({
  otpauthUri: Type.String({ description: 'otpauth:// URI to show as a QR code' }),
  totpSecret: Type.String({ description: 'Base32 seed for manual entry' }),
});
export const EnrolmentCompleteBody = Type.Object(
  { token: OpaqueToken, totp: TotpCode },
  { additionalProperties: false },
);

export const Session = Type.Object({
  id: Id,
  deviceLabel: Type.String(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  absoluteExpiresAt: Timestamp,
  current: Type.Boolean(),
});
export type Session = Static<typeof Session>;
export const SessionList = Type.Object({ sessions: Type.Array(Session) });
export const RevokedCount = Type.Object({ revoked: Type.Integer({ minimum: 0 }) });
