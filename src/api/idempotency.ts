import { createHash } from "node:crypto";
import type { Database } from "../db";
import { ConflictError, ValidationError, describeValue } from "../shared";

const KEY_RE = /^[\x21-\x7e]{1,200}$/;

/** The Idempotency-Key header of a request, validated. @throws ValidationError unless 1..200 visible ASCII characters. */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const key = headers["idempotency-key"];
  if (key === undefined) return undefined;
  if (typeof key !== "string" || !KEY_RE.test(key))
    throw new ValidationError([{ path: "header Idempotency-Key", expected: "1..200 visible ASCII characters", received: describeValue(key) }]);
  return key;
}

/** Hash of a parsed request body (whitespace-insensitive; key order matters). */
export function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("base64");
}

function reused(): ConflictError {
  return new ConflictError("This Idempotency-Key was already used with a different request body", "idempotency-key-reused");
}

/**
 * Idempotency-Key for POST /score (Stripe's semantics): the first request with a key is scored and its
 * answer stored in the same transaction as the decision (the decision store does that); a retry with the
 * same key and body gets the stored answer byte for byte; the same key with another body is a 409.
 * Concurrent duplicates in this process wait for the first; across processes the unique (scope, key)
 * index makes the later transaction skip its decision, and it then replays the winner's answer.
 * Only 200 answers are stored: a request that failed may be retried with the same key.
 */
export class ScoreIdempotency {
  private readonly inflight = new Map<string, { hash: string; p: Promise<{ json: string; replayed: boolean }> }>();

  constructor(private readonly db: Database) {}

  /**
   * Runs `score` at most once per (scope, key).
   * @returns the answer's JSON text and whether it is a replay.
   * @throws ConflictError (409, `idempotency-key-reused`) for another body under the same key; whatever `score` throws.
   */
  async run(scope: string, key: string, hash: string, score: () => Promise<{ json: string; duplicate?: boolean }>): Promise<{ json: string; replayed: boolean }> {
    const id = `${scope}\n${key}`;
    const running = this.inflight.get(id);
    if (running) {
      if (running.hash !== hash) throw reused();
      return { json: (await running.p).json, replayed: true };
    }
    const p = (async () => {
      const stored = await this.lookup(scope, key, hash);
      if (stored !== null) return { json: stored, replayed: true };
      const r = await score();
      if (!r.duplicate) return { json: r.json, replayed: false };
      const winner = await this.lookup(scope, key, hash);
      if (winner === null) throw new Error("idempotency record missing after a duplicate key was reported");
      return { json: winner, replayed: true };
    })();
    this.inflight.set(id, { hash, p });
    try {
      return await p;
    } finally {
      this.inflight.delete(id);
    }
  }

  /** The stored answer for (scope, key), or null. @throws ConflictError when it was stored for another body. */
  private async lookup(scope: string, key: string, hash: string): Promise<string | null> {
    const rec = await this.db.prisma.idempotencyRecord.findUnique({ where: { scope_key: { scope, key } } });
    if (!rec) return null;
    if (rec.requestHash !== hash) throw reused();
    return typeof rec.response === "string" ? rec.response : JSON.stringify(rec.response);
  }
}
