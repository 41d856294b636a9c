import type { Router } from "express";
import type { AppContext } from "../context";
import { sendJson } from "../http";

/** GET /customers/{id}/credit: current tier, limit, exposure, last decisions and score history. */
export function register(router: Router, ctx: AppContext): void {
  router.get("/customers/:id/credit", async (req, res) => {
    sendJson(res, 200, await ctx.decisions.customerCredit(String(req.params.id)));
  });
}
