import type { Role } from '../events/envelope.js';

export type { Role } from '../events/envelope.js';

/** The authenticated caller, as every service sees it after verifying the access token. */
export interface Principal {
  userId: string;
  role: Role;
  /** Token id: revocation and audit. */
  jti: string;
  sessionId?: string;
  /** Issued-at, seconds since epoch. */
  iat: number;
  exp: number;
}

/** Claims of an access token (JWT, EdDSA). `sub` is the user id. */
export interface AccessTokenClaims {
  sub: string;
  role: Role;
  jti: string;
  sid?: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  typ: 'access';
}

export const ROLES: readonly Role[] = ['admin', 'clinician', 'patient', 'compliance'];
