import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startFixture, type Fixture } from "./fixture";

/**
 * Property-based fuzzing of POST /score, POST /score/batch and PUT /customers|/invoices|/payments with
 * random and malformed JSON, wrong types, huge numbers, NaN/Infinity as strings, unicode (lone surrogates
 * included), deep nesting, oversize bodies and wrong content types. Properties: never a 5xx; every
 * refusal is a 4xx application/problem+json; a refused request writes nothing (row counts unchanged).
 * The number of cases run is printed at the end.
 */

const ROUTES = [
  { method: "POST", path: "/score" },
  { method: "POST", path: "/score/batch" },
  { method: "PUT", path: "/customers" },
  { method: "PUT", path: "/invoices" },
  { method: "PUT", path: "/payments" },
] as const;

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let fx: Fixture;
let cases = 0;
const statuses = new Map<number, number>();

beforeAll(async () => {
  fx = await startFixture({ customers: 30 });
}, 180_000);
afterAll(async () => {
  console.log(`fuzz: ${cases} cases run; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  await fx?.close();
});

const TABLES = ["Decision", "Order", "Customer", "Invoice", "Payment", "IdempotencyRecord", "CreditProfile"];
async function counts(): Promise<string> {
  const rows = await fx.db.prisma.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT ${TABLES.map((t) => `(SELECT COUNT(*) FROM "${t}") AS "${t}"`).join(", ")}`);
  return JSON.stringify(rows[0], (_k, v) => (typeof v === "bigint" ? Number(v) : v));
}

/** Sends one case and checks the properties. */
async function check(method: string, path: string, raw: string | Uint8Array, headers: Record<string, string> = { "content-type": "application/json" }): Promise<void> {
  const before = await counts();
  const r = await call(fx.server.url, method, path, { raw, key: fx.keys.admin, headers });
  cases++;
  statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  const where = `${method} ${path} ${typeof raw === "string" ? JSON.stringify(raw.slice(0, 200)) : `<${raw.length} bytes>`} -> ${r.status} ${r.text.slice(0, 200)}`;
  expect(r.status, where).toBeLessThan(500);
  if (r.status >= 400) {
    expect(r.type, where).toContain("application/problem+json");
    expect(r.body.status, where).toBe(r.status);
    expect(r.text, where).not.toMatch(/at .+\.(ts|js):\d+|SELECT |INSERT |prisma/i);
    expect(await counts(), where).toBe(before);
  }
}

/** Strings that break parsers and validators: non-finite numbers as strings, huge numbers, unicode, surrogates. */
const nasty = fc.constantFrom(
  "NaN", "Infinity", "-Infinity", "1e400", "-0", "0x10", "", " ", "\u0000", "\ud800", "\udfff", "💥", "\u202e", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)",
  "'; DROP TABLE \"Decision\"; --", "2026-02-30", "9999-99-99", "C000001\u0000", "ü".repeat(300), "a".repeat(100_000),
);
const weird = fc.oneof(
  nasty,
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.double(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, -1, 0, 0.001, 1e-320, 123456789012345678901234567890),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);

/** A valid-looking body for each route with some fields replaced by weird values or removed. */
function mutated(path: string): fc.Arbitrary<unknown> {
  const order = fc.record(
    { customerId: fc.oneof(weird, fc.constantFrom("C000001", "NO-SUCH")), order: fc.oneof(weird, fc.record({ id: weird, amount: weird, currency: weird, date: weird }, { requiredKeys: [] })) },
    { requiredKeys: [] },
  );
  const features = fc.record({ features: fc.oneof(weird, fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("LIMIT_BAL", "AGE", "PAY_0", "__proto__", "constructor")), weird, { maxKeys: 5 })) });
  const customer = fc.record({ externalId: weird, name: weird, currency: weird, industry: weird, creditLimit: weird, registrationDate: weird }, { requiredKeys: [] });
  const invoice = fc.record({ externalId: weird, customerId: weird, issueDate: weird, dueDate: weird, amount: weird, currency: weird, paidAmount: weird, status: weird }, { requiredKeys: [] });
  const payment = fc.record({ externalId: weird, customerId: weird, invoiceId: weird, date: weird, amount: weird }, { requiredKeys: [] });
  switch (path) {
    case "/score":
      return fc.oneof(order, features);
    case "/score/batch":
      return fc.oneof(fc.record({ rows: fc.oneof(weird, fc.array(fc.oneof(order, features), { maxLength: 4 })) }), order);
    case "/customers":
      return fc.oneof(fc.array(customer, { maxLength: 4 }), customer);
    case "/invoices":
      return fc.oneof(fc.array(invoice, { maxLength: 4 }), invoice);
    default:
      return fc.oneof(fc.array(payment, { maxLength: 4 }), payment);
  }
}

function nested(depth: number, open: string, close: string, inner = "1"): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

describe("fuzzing the write routes", () => {
  for (const { method, path } of ROUTES) {
    describe(`${method} ${path}`, () => {
      it("random JSON values", async () => {
        await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (v) => check(method, path, JSON.stringify(v))), { numRuns: RUNS });
      }, 120_000);

      it("valid-looking bodies with wrong types, non-finite and huge numbers, unicode and missing fields", async () => {
        await fc.assert(fc.asyncProperty(mutated(path), async (v) => check(method, path, JSON.stringify(v) ?? "null")), { numRuns: RUNS * 2 });
      }, 120_000);

      it("malformed JSON text and wrong content types", async () => {
        const ct = fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/xml");
        await fc.assert(
          fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("{", "[1,]", "{'a':1}", "NaN", "{\"amount\": NaN}", "{\"a\":1e400}", "\ufeff{}", "null", "true", "\"x\"")), ct, async (raw, type) =>
            check(method, path, raw, { "content-type": type }),
          ),
          { numRuns: RUNS },
        );
      }, 120_000);

      it("deep nesting, 1e400, lone surrogates, oversize bodies, a bad Idempotency-Key", async () => {
        await check(method, path, nested(10_000, "[", "]"));
        await check(method, path, nested(10_000, '{"a":', "}"));
        await check(method, path, `{"features":${nested(5_000, '{"a":', "}")}}`);
        await check(method, path, `{"customerId":"C000001","order":{"id":"X","amount":1e400}}`);
        await check(method, path, `[{"externalId":"\\ud800","name":"\\udfff"}]`);
        await check(method, path, `{"rows":[${Array(10_001).fill('{"features":{}}').join(",")}]}`);
        await check(method, path, `{"pad":"${"x".repeat(2_000_000)}"}`);
        await check(method, path, new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]));
        await check(method, path, Buffer.from('{"name":"\xe9"}', "latin1"));
        await check(method, path, "{}", { "content-type": "application/json", "idempotency-key": "bad key with spaces" });
        await check(method, path, "", { "content-type": "application/json" });
      }, 120_000);
    });
  }

  it("a body over the batch limit (16 MB) is 413 on every route", async () => {
    const big = `[${'"x",'.repeat(4_200_000)}"x"]`;
    for (const { method, path } of ROUTES) {
      await check(method, path, big);
    }
  }, 120_000);
});
