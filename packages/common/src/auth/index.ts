export type { AccessTokenClaims, Principal, Role } from './principal.js';
export { ROLES } from './principal.js';
export * from './policy.js';
export { NoRevocation, type RevocationChecker, type RevocationStore, RedisRevocationStore } from './revocation.js';
export { ACCESS_TOKEN_ALGORITHM, principalOf, requireRole, tokenVerifier, type TokenVerifierOptions } from './verify.js';
