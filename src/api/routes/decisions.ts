import type { Router } from "express";
import type { AppContext } from "../context";
import { sendJson } from "../http";

/** GET /decisions/{id}: the stored decision with its full explanation (credit officers, audits). */
export function register(router: Router, ctx: AppContext): void {
  router.get("/decisions/:id", async (req, res) => {
    sendJson(res, 200, await ctx.decisions.get(String(req.params.id)));
  });
}
