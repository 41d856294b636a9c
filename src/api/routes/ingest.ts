import type { Router } from "express";
import { ForbiddenError } from "../../shared";
import { principalOf } from "../auth";
import type { AppContext } from "../context";
import { BATCH_BODY_LIMIT, readJson, sendJson } from "../http";
import { idempotencyKeyOf, requestHash } from "../idempotency";

/**
 * PUT /customers, PUT /invoices, PUT /payments: bulk upsert by external id (src/ingest `upsertBatch`).
 * Body: a JSON array of 1..10,000 rows. All or nothing: any bad row answers 422 problem+json listing every
 * row error and writes nothing; otherwise 200 `{ kind, received, created, updated, unchanged }`.
 * `Idempotency-Key` (optional, 1..200 visible ASCII characters): the answer is stored in the same
 * transaction as the writes, per API key and route; a replay with the same body returns it again with
 * `Idempotent-Replayed: true`, a replay with another body is refused with 409.
 * Roles: erp and admin.
 */
const KINDS = ["customers", "invoices", "payments"] as const;

export function register(router: Router, ctx: AppContext): void {
  for (const kind of KINDS) {
    router.put(`/${kind}`, async (req, res) => {
      const who = principalOf(res);
      if (who.role !== "erp" && who.role !== "admin") throw new ForbiddenError(`importing ${kind} needs role erp or admin; the key has role ${who.role}`);
      const key = idempotencyKeyOf(req.headers);
      const body = await readJson(req, BATCH_BODY_LIMIT);
      const { upsertBatch } = await import("../../ingest");
      const idempotency = key ? { scope: `PUT /${kind}:${who.keyId}`, key, requestHash: requestHash(body) } : undefined;
      const result = await upsertBatch(ctx.db, kind, body, { idempotency });
      const { replayed, ...answer } = result;
      sendJson(res, 200, answer, replayed ? { "idempotent-replayed": "true" } : undefined);
    });
  }
}
