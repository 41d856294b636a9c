/**
 * Access control: hashed API keys with roles (ApiKey table, scrypt), the single route -> roles permission
 * table (used by the API middleware, the route x role tests and the console), per-key rate limiting, and
 * model-promotion approvals (an analyst requests, an admin confirms).
 */
export { ROLES, PERMISSIONS, isRole, can, permissionFor, permissionsFor, type Role, type Permission } from "./permissions";
export { ApiKeyStore, chainResolvers, generateKey, hashKey, verifyKey, keyPrefix, SCRYPT, type ApiKeyInfo, type KeyResolver, type KeyStoreOptions, type Principal } from "./keys";
export { RateLimiter, type RateLimitOptions } from "./ratelimit";
export { authorize } from "./guard";
export { requestPromotion, approvePromotions, promotionRequests, type PromotionRequest } from "./approvals";
