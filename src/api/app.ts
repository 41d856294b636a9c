import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import express, { type Express, type NextFunction, type Request, type Response, type Router } from "express";
import helmet from "helmet";
import swaggerUi from "swagger-ui-express";
import { authorize } from "../auth";
import { AppError, NotFoundError, UnavailableError } from "../shared";
import { authMiddleware, envKeyResolver } from "./auth";
import type { AppContext } from "./context";
import { contract } from "./contract";
import { sendJson, sendProblem } from "./http";
import { ApiMetrics } from "./metrics";
import { registerScore } from "./score";

/**
 * A route module: `src/api/routes/<name>.ts`. `register` adds routes that need an API key (the auth
 * middleware has resolved `res.locals.principal`); the optional `registerPublic` adds public routes
 * (static pages). Modules are discovered at start, in file-name order. Handlers may be async: a
 * thrown AppError becomes problem+json.
 */
export interface RouteModule {
  register?(router: Router, ctx: AppContext): void | Promise<void>;
  registerPublic?(router: Router, ctx: AppContext): void | Promise<void>;
}

const ROUTES_DIR = join(import.meta.dirname, "routes");

async function discoverRoutes(): Promise<{ name: string; mod: RouteModule }[]> {
  const files = readdirSync(ROUTES_DIR)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.(test|spec|d)\.[a-z]+$/.test(f))
    .sort();
  const out: { name: string; mod: RouteModule }[] = [];
  for (const f of files) out.push({ name: f, mod: (await import(pathToFileURL(join(ROUTES_DIR, f)).href)) as RouteModule });
  return out;
}

/** Express's route pattern of a matched request, as a low-cardinality metrics label. */
function routeLabel(req: Request): string {
  const r = (req as Request & { route?: { path?: string } }).route;
  return r?.path ? (req.baseUrl || "") + r.path : "unmatched";
}

/**
 * Builds the express app: the scoring routes first (single handlers, no middleware chain), then public
 * routes (health, readiness, metrics, the contract and Swagger UI), then the auth middleware and every
 * route module in `src/api/routes/`, then problem+json for 404s and errors.
 */
export async function createApp(ctx: AppContext): Promise<Express> {
  ctx.metrics ??= new ApiMetrics();
  const metrics = ctx.metrics;
  if (ctx.models.ready()) {
    const m = ctx.models.champion();
    metrics.setModel(m.id, m.version, m.kind);
  }
  const spec = contract();
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  // Security headers (helmet defaults: CSP default-src 'self', no inline scripts; the console and Swagger UI
  // load only same-origin scripts). The score routes set their own minimal headers on the hot path.
  const securityHeaders = helmet({ crossOriginEmbedderPolicy: false });
  registerScore(app, ctx);
  app.use(securityHeaders);
  // Every answer carries a request id (the client's X-Request-Id or a new one); error logs name it.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const h = req.headers["x-request-id"];
    res.setHeader("x-request-id", typeof h === "string" && h.length > 0 ? h.slice(0, 100) : randomUUID());
    next();
  });

  // Metrics for everything else (the score routes record their own without a per-request closure).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const t0 = performance.now();
    res.on("finish", () => metrics.observe(routeLabel(req), req.method, res.statusCode, (performance.now() - t0) / 1000));
    next();
  });

  app.get("/healthz", (_req, res) => sendJson(res, 200, { status: "ok" }));
  app.get("/readyz", async (_req, res) => {
    const checks: Record<string, string> = {};
    checks.model = ctx.models.ready() ? "ok" : "no champion loaded";
    try {
      await ctx.db.prisma.$queryRawUnsafe("SELECT 1");
      checks.database = "ok";
    } catch (e) {
      checks.database = `unreachable: ${(e as Error).message.split("\n")[0]}`;
    }
    const ok = checks.model === "ok" && checks.database === "ok";
    if (!ok) throw new UnavailableError(`not ready: ${Object.entries(checks).filter(([, v]) => v !== "ok").map(([k, v]) => `${k} ${v}`).join("; ")}`);
    const m = ctx.models.champion();
    sendJson(res, 200, { status: "ready", checks, model: { id: m.id, version: m.version }, policyVersion: ctx.policies.version() });
  });
  app.get("/metrics", async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType, "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
  app.get("/openapi.yaml", (_req, res) => {
    res.writeHead(200, { "content-type": "application/yaml; charset=utf-8", "content-length": Buffer.byteLength(spec.yamlText) });
    res.end(spec.yamlText);
  });
  app.get("/openapi.json", (_req, res) => sendJson(res, 200, spec.doc));
  app.use("/docs", swaggerUi.serve, swaggerUi.setup(spec.doc, { customSiteTitle: "Credit scoring API", swaggerOptions: { url: "/openapi.yaml", persistAuthorization: true } }));

  const modules = await discoverRoutes();
  const publicRouter = express.Router();
  for (const { mod } of modules) await mod.registerPublic?.(publicRouter, ctx);
  app.use(publicRouter);

  const secured = express.Router();
  secured.use(authMiddleware(ctx.resolveKey ?? envKeyResolver(ctx.config.CREDIT_API_KEY)));
  // Every secured route: the permission table (src/auth) for the caller's role, then the per-key rate limit.
  secured.use((req: Request, res: Response, next: NextFunction) => {
    const who = res.locals.principal as import("./context").Principal;
    authorize(who, req.method, req.path);
    ctx.limiter?.take(who.keyId);
    next();
  });
  for (const { mod } of modules) await mod.register?.(secured, ctx);
  app.use(secured);

  app.use((req: Request, _res: Response, next: NextFunction) => next(new NotFoundError("route", `${req.method} ${req.path}`)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // Third-party middleware (static files, swagger-ui) signals client errors with a numeric status.
    const status = (err as { status?: unknown })?.status;
    if (!(err instanceof AppError) && typeof status === "number" && status >= 400 && status < 500) {
      err = new AppError(status, "client-error", "Bad request", (err as Error).message);
    }
    sendProblem(res, err, req.originalUrl, ctx.logger);
  });
  return app;
}

