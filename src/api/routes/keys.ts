import type { Router } from "express";
import { z } from "zod";
import { ApiKeyStore, permissionsFor } from "../../auth";
import { fromZodIssues } from "../../shared";
import { principalOf } from "../auth";
import type { AppContext } from "../context";
import { readJson, sendJson } from "../http";

const CreateKey = z.object({ name: z.string().trim().min(1).max(200), role: z.enum(["erp", "officer", "analyst", "admin"]) }).strict();

/**
 * GET /me (any role): the calling key and what its role may call (the console hides the rest).
 * GET /keys, POST /keys, DELETE /keys/{id} (admin): list, create (the key is shown once) and revoke hashed
 * API keys. Roles are enforced by the permission table in src/auth before these handlers run.
 */
export function register(router: Router, ctx: AppContext): void {
  const keys = (ctx.keys ??= new ApiKeyStore(ctx.db));

  router.get("/me", (_req, res) => {
    const who = principalOf(res);
    sendJson(res, 200, { keyId: who.keyId, role: who.role, permissions: permissionsFor(who.role).map(({ method, path, what }) => ({ method, path, what })) });
  });

  router.get("/keys", async (_req, res) => {
    sendJson(res, 200, { keys: await keys.list() });
  });

  router.post("/keys", async (req, res) => {
    const raw = await readJson(req);
    const r = CreateKey.safeParse(raw);
    if (!r.success) throw fromZodIssues(r.error.issues, raw);
    const created = await keys.create(r.data.name, r.data.role);
    ctx.logger.info({ keyId: created.id, role: created.role, actor: principalOf(res).keyId }, "API key created");
    sendJson(res, 201, created, { "cache-control": "no-store" });
  });

  router.delete("/keys/:id", async (req, res) => {
    const revoked = await keys.revoke(String(req.params.id), ctx.clock());
    ctx.logger.info({ keyId: revoked.id, actor: principalOf(res).keyId }, "API key revoked");
    sendJson(res, 200, revoked);
  });
}
