import type { Request, Router } from "express";
import { z } from "zod";
import {
  CashflowCache,
  collectionsWorklist,
  consoleRouter,
  customerOverview,
  getDecision,
  listOrders,
  modelsOverview,
  overrideOrder,
  portfolioSummary,
  recordCollectionOutcome,
  searchDecisions,
  searchOverrides,
  type CollectionOutcome,
} from "../../console";
import { fromZodIssues, isIsoDate, todayUtc, type IsoDate } from "../../shared";
import { principalOf } from "../auth";
import type { AppContext } from "../context";
import { contract } from "../contract";
import { readJson, sendJson } from "../http";

/**
 * The officers' console: its static app under /console (public: the page asks for the key) and the read
 * models and officer actions it calls (behind the API key):
 *
 * - GET /portfolio/summary, GET /orders, GET /customers/{id}/overview, GET /decisions (search),
 *   GET /decisions/{id}/full, GET /overrides, GET /collections/worklist, GET /monitoring/models
 * - POST /orders/{id}/release, POST /orders/{id}/reject, POST /collections/actions/{id}/record
 *
 * The as-of date of read models is `?asOf=YYYY-MM-DD` or today (UTC, from the context's clock).
 */
export function registerPublic(router: Router, ctx: AppContext): void {
  // Opening the console page starts the slowest aggregate (monthly cashflow: two full scans) in the
  // background, so it is ready by the time the signed-in dashboard asks for it.
  const prefetch = () => void cacheOf(ctx).get(ctx.db, todayUtc(ctx.clock())).catch((e: unknown) => ctx.logger.warn({ err: e }, "console prefetch failed"));
  router.use("/console", consoleRouter({ prebuild: process.env.NODE_ENV !== "test" && !process.env.VITEST, onOpen: prefetch }));
}

const caches = new WeakMap<AppContext, CashflowCache>();
function cacheOf(ctx: AppContext): CashflowCache {
  let c = caches.get(ctx);
  if (!c) caches.set(ctx, (c = new CashflowCache()));
  return c;
}

const date = z.string().refine(isIsoDate, "a calendar date YYYY-MM-DD");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const page = { limit: int(1, 200).optional(), offset: int(0, 10_000_000).optional() };

function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const r = schema.safeParse(req.query);
  if (!r.success) throw fromZodIssues(r.error.issues, req.query, "/query");
  return r.data;
}

const AsOfQuery = z.object({ asOf: date.optional(), top: int(1, 100).optional() });
const OrdersQuery = z.object({ status: z.string().optional(), ...page });
const DecisionsQuery = z.object({
  customer: z.string().min(1).max(200).optional(),
  order: z.string().min(1).max(200).optional(),
  from: date.optional(),
  to: date.optional(),
  outcome: z.enum(["approve", "review", "hold", "prepay", "reject"]).optional(),
  kind: z.enum(["order_check", "adhoc", "batch"]).optional(),
  ...page,
});
const OverridesQuery = z.object({ order: z.string().min(1).optional(), customer: z.string().min(1).optional(), ...page });
const WorklistQuery = z.object({ asOf: date.optional(), horizonDays: int(0, 365).optional(), ...page });

export function register(router: Router, ctx: AppContext): void {
  const today = (): IsoDate => todayUtc(ctx.clock());
  const c = contract();
  const cashflowCache = cacheOf(ctx);

  router.get("/portfolio/summary", async (req, res) => {
    const q = parseQuery(AsOfQuery, req);
    sendJson(res, 200, await portfolioSummary(ctx.db, q.asOf ?? today(), { topN: q.top ?? 10, cashflowCache }));
  });

  router.get("/orders", async (req, res) => {
    const q = parseQuery(OrdersQuery, req);
    const status = q.status ? q.status.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
    sendJson(res, 200, await listOrders(ctx.db, { status, limit: q.limit, offset: q.offset }));
  });

  router.get("/customers/:id/overview", async (req, res) => {
    const q = parseQuery(AsOfQuery, req);
    sendJson(res, 200, await customerOverview(ctx.db, String(req.params.id), q.asOf ?? today()));
  });

  router.get("/decisions", async (req, res) => {
    sendJson(res, 200, await searchDecisions(ctx.db, parseQuery(DecisionsQuery, req)));
  });

  router.get("/decisions/:id/full", async (req, res) => {
    sendJson(res, 200, await getDecision(ctx.db, String(req.params.id)));
  });

  router.get("/overrides", async (req, res) => {
    sendJson(res, 200, await searchOverrides(ctx.db, parseQuery(OverridesQuery, req)));
  });

  router.get("/collections/worklist", async (req, res) => {
    const q = parseQuery(WorklistQuery, req);
    sendJson(res, 200, await collectionsWorklist(ctx.db, q.asOf ?? today(), q));
  });

  router.get("/monitoring/models", async (_req, res) => {
    sendJson(res, 200, await modelsOverview(ctx.db, await ctx.models.list()));
  });

  for (const action of ["release", "reject"] as const) {
    router.post(`/orders/:id/${action}`, async (req, res) => {
      const body = c.check<{ reason: string }>("OrderOverrideRequest", await readJson(req));
      const who = principalOf(res);
      const result = await overrideOrder(ctx.db, action, String(req.params.id), body.reason, { id: who.keyId, role: who.role });
      ctx.logger.info({ order: result.orderId, action, actor: who.keyId, override: result.overrideId }, "order override");
      sendJson(res, 200, result);
    });
  }

  router.post("/collections/actions/:id/record", async (req, res) => {
    const id = Number(req.params.id);
    const body = c.check<CollectionOutcome>("CollectionOutcomeRequest", await readJson(req));
    if (!Number.isSafeInteger(id) || id <= 0) throw fromZodIssues([{ path: ["id"], message: "a positive integer", input: req.params.id }], req.params, "/path");
    sendJson(res, 200, await recordCollectionOutcome(ctx.db, id, body, principalOf(res).keyId, ctx.clock()));
  });
}
