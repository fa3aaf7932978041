export {
  type AssertedRequest,
  type AssertionCheck,
  accessTokenSubject,
  authorizationHash,
  GATEWAY_ASSERTION_HEADER,
  GATEWAY_ASSERTION_ISSUER,
  GATEWAY_ASSERTION_MAX_TTL_SECONDS,
  GATEWAY_ASSERTION_TYP,
  GatewayAssertionSigner,
  type GatewayAssertionSignerOptions,
  GatewayAssertionVerifier,
  requestTarget,
} from './internal.js';
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
export { AccessTokenSigner, type AccessTokenSignerOptions, signJwt } from './sign.js';
export { followRevocations, type TokenCacheOptions, VerifiedTokenCache } from './token-cache.js';
export {
  ACCESS_TOKEN_ALGORITHM,
  principalOf,
  requireRole,
  type TokenVerifierOptions,
  tokenVerifier,
} from './verify.js';
