import { readFileSync } from "node:fs";
import type { Router } from "express";
import { approvePromotions, requestPromotion } from "../../auth";
import { ForbiddenError, NotFoundError } from "../../shared";
import { principalOf } from "../auth";
import type { AppContext } from "../context";
import { sendJson } from "../http";

/**
 * GET /models, GET /models/{id}, POST /models/{id}/promote. Promotion loads and verifies the new
 * artifact first and then swaps the champion reference: requests in flight keep the model they started
 * with, later ones get the new one, and nothing restarts.
 */
export function register(router: Router, ctx: AppContext): void {
  router.get("/models", async (_req, res) => {
    const models = await ctx.models.list();
    const champion = ctx.models.ready() ? ctx.models.champion() : null;
    sendJson(res, 200, { champion: champion ? { id: champion.id, version: champion.version } : null, models });
  });
  router.get("/models/:id", async (req, res) => {
    const id = String(req.params.id);
    const m = await ctx.models.get(id);
    if (!m) throw new NotFoundError("model", id);
    sendJson(res, 200, m);
  });
  router.get("/models/:id/report", (req, res) => {
    const id = String(req.params.id);
    let file: string | null = null;
    try {
      file = ctx.models.reportFile?.(id) ?? null;
    } catch {
      file = null;
    }
    if (!file) throw new NotFoundError("model report", id);
    const html = readFileSync(file);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": html.length });
    res.end(html);
  });
  router.post("/models/:id/promote", async (req, res) => {
    const who = principalOf(res);
    if (who.role !== "admin" && who.role !== "analyst") throw new ForbiddenError(`promoting a model needs role admin or analyst; the key has role ${who.role}`);
    req.resume();
    if (who.role === "analyst") {
      // Promotion with approval: an analyst's request waits for an admin (src/auth approvals).
      const id = String(req.params.id);
      if (!(await ctx.models.get(id))) throw new NotFoundError("model", id);
      const champ = ctx.models.ready() ? ctx.models.champion().id : null;
      sendJson(res, 202, await requestPromotion(ctx.db, id, who, ctx.clock(), champ));
      return;
    }
    const m = await ctx.models.promote(String(req.params.id), who.keyId);
    await approvePromotions(ctx.db, m.id, who, ctx.clock());
    const champ = ctx.models.champion();
    ctx.metrics?.setModel(champ.id, champ.version, champ.kind);
    ctx.logger.info({ model: m.id, actor: who.keyId }, "model promoted");
    sendJson(res, 200, m);
  });
}
