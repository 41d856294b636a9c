import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Express } from "express";
import { authorize } from "../auth";
import type { ScoreRequest } from "../decisions";
import { authenticate, envKeyResolver } from "./auth";
import type { AppContext } from "./context";
import { contract } from "./contract";
import { BATCH_BODY_LIMIT, BODY_LIMIT, readJson, readJsonText, sendJson, sendJsonText, sendProblem } from "./http";
import { ScoreIdempotency, idempotencyKeyOf, requestHash } from "./idempotency";
import { ApiMetrics } from "./metrics";

/**
 * POST /score and POST /score/batch: the hot path. These handlers are mounted first, as single handlers
 * (no middleware chain): auth, raw-body read, one JSON.parse, precompiled validation, compiled model,
 * one JSON.stringify (shared with the audit row), and a direct writeHead/end.
 */
export function registerScore(router: Express, ctx: AppContext): void {
  const c = contract();
  const vOrder = c.validator("OrderScoreRequest");
  const vFeatures = c.validator("FeaturesScoreRequest");
  c.validator("ScoreBatchRequest");
  const resolve = ctx.resolveKey ?? envKeyResolver(ctx.config.CREDIT_API_KEY);
  const metrics = ctx.metrics ?? new ApiMetrics(false);
  const log = ctx.logger;
  const decisions = ctx.decisions;
  const limiter = ctx.limiter;
  const idem = new ScoreIdempotency(ctx.db);

  /** Caller, role (permission table) and rate limit; the request id (the client's or a new one) is echoed. */
  async function admit(req: IncomingMessage, res: ServerResponse, path: string) {
    const p = authenticate(req, resolve);
    const who = p instanceof Promise ? await p : p;
    authorize(who, "POST", path);
    limiter?.take(who.keyId);
    const h = req.headers["x-request-id"];
    const requestId = typeof h === "string" && h.length > 0 ? h.slice(0, 100) : randomUUID();
    res.setHeader("x-request-id", requestId);
    return { who, requestId };
  }

  function parseScore(body: unknown, prefix = ""): ScoreRequest {
    // Dispatch on the discriminating field so that errors name the fields of the intended shape, not a oneOf soup.
    const isFeatures = body !== null && typeof body === "object" && !Array.isArray(body) && "features" in body;
    if ((isFeatures ? vFeatures : vOrder)(body)) return body as ScoreRequest;
    return c.check<ScoreRequest>(isFeatures ? "FeaturesScoreRequest" : "OrderScoreRequest", body, prefix);
  }

  async function score(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const { who, requestId } = await admit(req, res, "/score");
    const key = idempotencyKeyOf(req.headers);
    const body = await readJsonText(req, BODY_LIMIT);
    const request = parseScore(body.value);
    const meta = { requestId, actor: who.keyId, inputJson: body.text };
    if (key === undefined) {
      const { json } = await decisions.score(request, meta);
      sendJsonText(res, 200, json);
      return 200;
    }
    const scope = `POST /score:${who.keyId}`;
    const hash = requestHash(body.value);
    const r = await idem.run(scope, key, hash, () => decisions.score(request, { ...meta, idempotency: { scope, key, requestHash: hash } }));
    if (r.replayed) res.setHeader("idempotent-replayed", "true");
    sendJsonText(res, 200, r.json);
    return 200;
  }

  async function batch(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const { who, requestId } = await admit(req, res, "/score/batch");
    const body = c.check<{ rows: unknown[] }>("ScoreBatchRequest", await readJson(req, BATCH_BODY_LIMIT));
    const rows = body.rows.map((r, i) => parseScore(r, `/rows/${i}`));
    const results = await decisions.scoreBatch(rows, { requestId, actor: who.keyId });
    sendJson(res, 200, { count: results.length, results });
    return 200;
  }

  function handler(route: string, fn: (req: IncomingMessage, res: ServerResponse) => Promise<number>) {
    return (req: IncomingMessage, res: ServerResponse): void => {
      const t0 = performance.now();
      fn(req, res).then(
        (status) => metrics.observe(route, "POST", status, (performance.now() - t0) / 1000),
        (err) => metrics.observe(route, "POST", sendProblem(res, err, route, log), (performance.now() - t0) / 1000),
      );
    };
  }

  router.post("/score", handler("/score", score));
  router.post("/score/batch", handler("/score/batch", batch));
}
