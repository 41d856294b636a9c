import type { Config } from "../config";
import type { Database } from "../db";
import type { Logger } from "../shared";
import type { DecisionService } from "../decisions";
import type { ModelProvider, PolicyPort, CreditPort } from "../decisions";
import type { ApiMetrics } from "./metrics";

/** Roles an API key can carry (the security issue adds per-key roles from the ApiKey table). */
export type Role = "erp" | "officer" | "analyst" | "admin";

/** Who is calling: resolved once per request by the auth middleware. */
export interface Principal {
  keyId: string;
  role: Role;
}

/**
 * Resolves a bearer key to a principal, or null when the key is unknown. The default accepts
 * CREDIT_API_KEY (role admin); the security issue replaces it with hashed keys from the ApiKey table.
 */
export type KeyResolver = (key: string) => Principal | null | Promise<Principal | null>;

/**
 * Everything a route needs, built once by the entry point (`credit start` / `credit serve` / tests) and
 * passed to `createApp(ctx)`. Route modules (`src/api/routes/<name>.ts`) receive it in `register`.
 */
export interface AppContext {
  config: Config;
  db: Database;
  /** The model registry view: champion (hot-swappable), list, get, promote. */
  models: ModelProvider;
  /** The active policy (version, ad-hoc evaluation). */
  policies: PolicyPort;
  /** Order credit check for known customers (features + policy); absent until wired. */
  credit?: CreditPort;
  /** Scores, explains, decides and stores decisions (group commit). */
  decisions: DecisionService;
  /** Job runner (src/jobs), when the process runs one. */
  jobs?: unknown;
  logger: Logger;
  /** The clock; the only place request handlers get "now" from. */
  clock: () => Date;
  /** Resolves API keys; defaults to CREDIT_API_KEY only. */
  resolveKey?: KeyResolver;
  /** Per-key rate limit (src/auth RateLimiter); none when absent. */
  limiter?: import("../auth").RateLimiter;
  /** Hashed API keys (src/auth ApiKeyStore), for the keys admin routes. */
  keys?: import("../auth").ApiKeyStore;
  /** Created by createApp when absent. */
  metrics?: ApiMetrics;
  /** Free slots for components that add route modules (e.g. the console's read models). */
  extras?: Record<string, unknown>;
}
