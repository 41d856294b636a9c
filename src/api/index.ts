/**
 * The REST API: express app, OpenAPI 3.1 contract (openapi.yaml) with ajv validation, auth, RFC 9457
 * problem+json, routes and Prometheus metrics. Route modules live in `src/api/routes/<name>.ts` and export
 * `register(router, ctx)` (behind auth) and/or `registerPublic(router, ctx)`; createApp discovers them.
 */
export { createApp, type RouteModule } from "./app";
export type { AppContext, Principal, Role, KeyResolver } from "./context";
export { authenticate, authMiddleware, envKeyResolver, anyResolver, principalOf } from "./auth";
export { Contract, contract, toIssues, OPENAPI_PATH } from "./contract";
export { readJson, readJsonText, sendJson, sendJsonText, sendProblem, BODY_LIMIT, BATCH_BODY_LIMIT, PayloadTooLargeError, UnsupportedMediaTypeError, MalformedJsonError } from "./http";
export { ApiMetrics } from "./metrics";
export { startServer, untilSignal, type RunningServer, type ServeOptions } from "./server";
export { openRuntime, type Runtime, type RuntimeOptions } from "./runtime";
