import type { Router } from "express";
import type { PolicyStore } from "../../policy";
import { principalOf } from "../auth";
import type { AppContext } from "../context";
import { sendJson } from "../http";

/**
 * GET /policy (the policy in force) and POST /policy/reload (admin: re-read POLICY_FILE now). A policy that
 * fails validation is refused with one entry per bad field and the running policy stays in force; a valid
 * one is swapped in atomically (decisions in flight keep the version they started with).
 */
export function register(router: Router, ctx: AppContext): void {
  const store = ctx.extras?.policyStore as PolicyStore | undefined;
  const describe = () => {
    const p = store?.current();
    return p ? { version: p.version, declaredVersion: p.declaredVersion, sha256: p.sha256, source: p.source, currency: p.currency, tiers: p.tiers.map((t) => t.id) } : null;
  };
  router.get("/policy", (_req, res) => {
    sendJson(res, 200, describe());
  });
  router.post("/policy/reload", (req, res) => {
    req.resume();
    const before = describe();
    store?.reload(ctx.config.POLICY_FILE);
    const after = describe();
    ctx.logger.info({ from: before?.version, to: after?.version, actor: principalOf(res).keyId }, "policy reloaded");
    sendJson(res, 200, { ...after, previousVersion: before?.version ?? null, changed: before?.sha256 !== after?.sha256 });
  });
}
