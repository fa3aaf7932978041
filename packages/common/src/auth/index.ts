export * from './policy.js';
export type { AccessTokenClaims, Principal, Role } from './principal.js';
export { ROLES } from './principal.js';
export {
  NoRevocation,
  RedisRevocationStore,
  type RevocationChecker,
  type RevocationStore,
} from './revocation.js';
export {
  ACCESS_TOKEN_ALGORITHM,
  principalOf,
  requireRole,
  type TokenVerifierOptions,
  tokenVerifier,
} from './verify.js';
