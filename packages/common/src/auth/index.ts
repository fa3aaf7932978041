export * from './policy.js';
export type { AccessTokenClaims, Principal, Role } from './principal.js';
export { ROLES } from './principal.js';
export {
  NoRevocation,
  noticeRevokes,
  RedisRevocationStore,
  type RevocationChecker,
  type RevocationNotice,
  type RevocationStore,
  revocationChannel,
} from './revocation.js';
export { type EndReason, RevocationWatcher } from './revocation-watch.js';
export {
  ACCESS_TOKEN_ALGORITHM,
  principalOf,
  requireRole,
  type TokenVerifierOptions,
  tokenVerifier,
} from './verify.js';
