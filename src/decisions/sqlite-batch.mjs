// The SQLite audit batch writer, shared by the writer thread (sqlite-writer.worker.mjs) and the in-thread
// writer (plain JavaScript: worker threads do not inherit the TypeScript loader). A dedicated better-sqlite3
// connection (WAL, synchronous=NORMAL: a commit survives a process crash without an fsync per transaction)
// with prepared statements; each batch is one IMMEDIATE transaction.
import BetterSqlite3 from "better-sqlite3";

const COLUMNS = [
  "id", "kind", "customerId", "customerRef", "orderRef", "modelId", "modelVersion", "policyVersion", "pd", "score", "tier", "decision",
  "creditLimitMinor", "exposureMinor", "currency", "input", "features", "reasons", "rules", "output", "requestId", "createdAt",
];

// Prisma's DateTime text format for SQLite (what its better-sqlite3 adapter writes and reads).
const time = (d) => d.toISOString().replace("Z", "+00:00");

/**
 * Opens the batch writer on the SQLite file `file`.
 * @param opts.autoCheckpoint false: this connection never checkpoints the WAL itself (someone else must).
 * @returns write(rows) -> ids of rows skipped because their Idempotency-Key was already stored; close().
 */
export function openSqliteBatchWriter(file, opts = {}) {
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 10000");
  if (opts.autoCheckpoint === false) db.pragma("wal_autocheckpoint = 0");

  const insert = db.prepare(`INSERT INTO "Decision" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`);
  const order = db.prepare(
    `INSERT INTO "Order" ("externalId", "customerId", "amountMinor", "currency", "orderDate", "status", "decisionId", "createdAt", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT("externalId") DO UPDATE SET "amountMinor" = excluded."amountMinor", "currency" = excluded."currency",
       "orderDate" = excluded."orderDate", "status" = excluded."status", "decisionId" = excluded."decisionId", "updatedAt" = excluded."updatedAt"`,
  );
  // An existing profile keeps its approved limit, validity and tier floor (limits change through reviews).
  const profile = db.prepare(
    `INSERT INTO "CreditProfile" ("customerId", "tier", "limitMinor", "currency", "limitValidUntil", "limitCalculation", "lastPd", "lastScore",
       "lastModelId", "lastDecisionId", "lastScoredAt", "nextReviewDate", "policyVersion", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT("customerId") DO UPDATE SET "tier" = excluded."tier", "lastPd" = excluded."lastPd", "lastScore" = excluded."lastScore",
       "lastModelId" = excluded."lastModelId", "lastDecisionId" = excluded."lastDecisionId", "lastScoredAt" = excluded."lastScoredAt",
       "policyVersion" = excluded."policyVersion", "updatedAt" = excluded."updatedAt"`,
  );

  // An Idempotency-Key already stored skips its row (the request then replays the stored answer).
  const idem = db.prepare(
    `INSERT INTO "IdempotencyRecord" ("scope", "key", "requestHash", "status", "response", "createdAt") VALUES (?, ?, ?, 200, ?, ?)
     ON CONFLICT("scope", "key") DO NOTHING`,
  );

  const write = db.transaction((rows) => {
    const skipped = [];
    for (const r of rows) {
      const t = time(r.createdAt);
      if (r.idempotency) {
        const k = r.idempotency;
        if (idem.run(k.scope, k.key, k.requestHash, JSON.stringify(r.output), t).changes === 0) {
          skipped.push(r.id);
          continue;
        }
      }
      insert.run(
        r.id, r.kind, r.customerId, r.customerRef, r.orderRef, r.modelId, r.modelVersion, r.policyVersion, r.pd, Math.round(r.score), r.tier, r.decision,
        r.creditLimitMinor, r.exposureMinor, r.currency, r.input, r.features, r.reasons, r.rules, r.output, r.requestId, t,
      );
      if (r.order) {
        const o = r.order;
        order.run(o.externalId, o.customerId, o.amountMinor, o.currency, o.orderDate, o.status, r.id, t, t);
      }
      if (r.profile) {
        const p = r.profile;
        profile.run(p.customerId, p.tier, p.limitMinor, p.currency, p.limitValidUntil, p.limitCalculation, p.pd, Math.round(p.score), p.modelId, r.id, t,
          p.nextReviewDate, p.policyVersion, t);
      }
    }
    return skipped;
  });

  return {
    write: (rows) => write.immediate(rows),
    close: () => db.close(),
  };
}
