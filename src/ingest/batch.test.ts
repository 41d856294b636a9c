import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase, hasPostgres } from "../../test/support/servers";
import { openDatabase, type Database } from "../db";
import { importCsv, releaseIngestStore, RowsRejectedError, upsertBatch } from ".";

/**
 * REST batch semantics (all or nothing, idempotency record in the same transaction) and idempotent CSV
 * import, on SQLite and, when a server is available, PostgreSQL.
 */

const customers = [
  { externalId: "C1", name: "Acme Steel", country: "CN", paymentTermsDays: 30, attributes: { segment: "smb" } },
  { external_id: "C2", name: "Beta", registration_date: "2018-05-01" },
];
const invoices = [
  { externalId: "I1", customerId: "C1", issueDate: "2024-01-01", dueDate: "2024-01-31", amount: 1234.5, settledDate: "2024-02-03" },
  { externalId: "I2", customerId: "C2", issueDate: "2024-01-05", dueDate: "2024-02-04", amount: "99.99", paidAmount: 50, disputed: true },
];

function suite(name: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>) {
  describe(name, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    let dir: string;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      dir = mkdtempSync(join(tmpdir(), "ingest-batch-"));
    });

    afterAll(async () => {
      await releaseIngestStore(db);
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it("upserts a batch and reports created / updated / unchanged", async () => {
      expect(await upsertBatch(db, "customers", customers)).toEqual({ kind: "customers", received: 2, created: 2, updated: 0, unchanged: 0 });
      expect(await upsertBatch(db, "invoices", invoices)).toEqual({ kind: "invoices", received: 2, created: 2, updated: 0, unchanged: 0 });
      expect(await upsertBatch(db, "invoices", invoices)).toEqual({ kind: "invoices", received: 2, created: 0, updated: 0, unchanged: 2 });
      const changed = [{ ...invoices[0], disputed: true }, invoices[1]];
      expect(await upsertBatch(db, "invoices", changed)).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
      const i1 = await db.prisma.invoice.findUniqueOrThrow({ where: { externalId: "I1" } });
      expect([Number(i1.amountMinor), Number(i1.paidMinor), i1.status, i1.disputed]).toEqual([123450, 123450, "paid", true]);
      const c1 = await db.prisma.customer.findUniqueOrThrow({ where: { externalId: "C1" } });
      expect(c1.attributes).toEqual({ segment: "smb" });
      expect(await upsertBatch(db, "customers", customers)).toMatchObject({ unchanged: 2 });
    });

    it("is all or nothing: one bad row rejects the batch with every error (422) and writes nothing", async () => {
      const batch = [
        { externalId: "I10", customerId: "C1", issueDate: "2024-03-01", dueDate: "2024-03-31", amount: 10 },
        { externalId: "I11", customerId: "C404", issueDate: "2024-03-01", dueDate: "2024-03-31", amount: 10 },
        { externalId: "I12", customerId: "C1", issueDate: "2024-03-01", dueDate: "2024-03-31", amount: 10, colour: "red" },
      ];
      const err = await upsertBatch(db, "invoices", batch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RowsRejectedError);
      const e = err as RowsRejectedError;
      expect(e.status).toBe(422);
      expect(e.extras).toMatchObject({ rejectedRows: 1, errorCount: 1 });
      expect(e.errors).toEqual([{ row: 3, field: "colour", expected: "one of the invoices fields: externalId, customerId, issueDate, dueDate, amount, currency, paidAmount, settledDate, disputed, status, writtenOffDate", received: 'string "red"' }]);
      // Field errors fixed, the unknown customer is found inside the transaction and rolls it back.
      const err2 = (await upsertBatch(db, "invoices", batch.slice(0, 2)).catch((x: unknown) => x)) as RowsRejectedError;
      expect(err2.errors).toEqual([{ row: 2, field: "customerId", expected: "external id of an existing customer (import customers first)", received: 'string "C404"' }]);
      expect(await db.prisma.invoice.count({ where: { externalId: { in: ["I10", "I11", "I12"] } } })).toBe(0);
      await expect(upsertBatch(db, "invoices", [])).rejects.toMatchObject({ status: 400 });
      await expect(upsertBatch(db, "invoices", { externalId: "x" })).rejects.toMatchObject({ status: 400 });
      await expect(upsertBatch(db, "invoices", invoices, { maxRows: 1 })).rejects.toMatchObject({ status: 400 });
    });

    it("stores the answer under an Idempotency-Key in the write transaction and replays it", async () => {
      const idem = { scope: "PUT /customers:key1", key: "k-123", requestHash: "h1" };
      const rows = [{ externalId: "C50", name: "Fifty" }];
      const first = await upsertBatch(db, "customers", rows, { idempotency: idem });
      expect(first).toEqual({ kind: "customers", received: 1, created: 1, updated: 0, unchanged: 0 });
      await db.prisma.customer.update({ where: { externalId: "C50" }, data: { name: "Renamed" } });
      const replay = await upsertBatch(db, "customers", rows, { idempotency: idem });
      expect(replay).toEqual({ ...first, replayed: true });
      // The replay wrote nothing: the manual rename is still there.
      expect((await db.prisma.customer.findUniqueOrThrow({ where: { externalId: "C50" } })).name).toBe("Renamed");
      await expect(upsertBatch(db, "customers", rows, { idempotency: { ...idem, requestHash: "h2" } })).rejects.toMatchObject({ status: 409, type: "idempotency-key-reused" });
      const rec = await db.prisma.idempotencyRecord.findFirstOrThrow({ where: { scope: idem.scope, key: idem.key } });
      expect([rec.status, rec.requestHash, rec.response]).toEqual([200, "h1", first]);
      // A failed batch stores no answer.
      const bad = { ...idem, key: "k-bad" };
      await expect(upsertBatch(db, "invoices", [{ externalId: "I99", customerId: "C404", issueDate: "2024-01-01", dueDate: "2024-01-02", amount: 1 }], { idempotency: bad })).rejects.toBeInstanceOf(RowsRejectedError);
      expect(await db.prisma.idempotencyRecord.count({ where: { key: "k-bad" } })).toBe(0);
    });

    it("imports the same CSV twice: the second run creates and updates nothing", async () => {
      const f = join(dir, "inv.csv");
      const lines = ["invoice_id,customer_id,issue_date,due_date,amount,settled_date,disputed"];
      for (let i = 0; i < 300; i++) lines.push(`CSV${i},${i % 2 ? "C1" : "C2"},2024-01-${String((i % 28) + 1).padStart(2, "0")},2024-03-01,${(i + 1) * 1.25},${i % 3 ? "2024-03-05" : ""},${i % 7 === 0}`);
      writeFileSync(f, lines.join("\n"));
      const a = await importCsv(db, "invoices", f, { chunkSize: 128 });
      expect([a.created, a.updated, a.unchanged, a.errorCount]).toEqual([300, 0, 0, 0]);
      const b = await importCsv(db, "invoices", f, { chunkSize: 128 });
      expect([b.created, b.updated, b.unchanged]).toEqual([0, 0, 300]);
      const sum = await db.prisma.invoice.aggregate({ _sum: { amountMinor: true }, where: { externalId: { startsWith: "CSV" } } });
      expect(Number(sum._sum.amountMinor)).toBe(Array.from({ length: 300 }, (_, i) => (i + 1) * 125).reduce((x, y) => x + y, 0));
    });
  });
}

suite("ingestion on SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ingest-sqlite-"));
  const db = await openDatabase(`file:${join(dir, "t.db")}`);
  return { db, cleanup: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
});

describe.runIf(hasPostgres)("PostgreSQL", () => {
  suite("ingestion on PostgreSQL", async () => {
    const pg = await createPgDatabase("ingest");
    const db = await openDatabase(pg.url);
    return { db, cleanup: async () => (await db.close(), await pg.drop()) };
  });
});
