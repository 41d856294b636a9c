import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isIsoDate } from "../shared";
import { canonicalField, isCalendarDate, parseRow } from "./schemas";
import { validateBatch } from "./batch";

describe("row schemas", () => {
  it("converts amounts to minor units exactly, by currency exponent", () => {
    const inv = (amount: unknown, currency?: string) =>
      parseRow("invoices", { externalId: "I", customerId: "C", issueDate: "2024-01-01", dueDate: "2024-01-02", amount, currency }, 1);
    const minor = (r: ReturnType<typeof inv>) => (r.ok ? r.value.amountMinor : r.errors.map((e) => e.expected).join("; "));
    expect(minor(inv("1234.50"))).toBe(123450);
    expect(minor(inv(1.005))).toBe("amount in major units with at most 2 decimals for CNY"); // refused, not rounded
    expect(minor(inv(1.1))).toBe(110);
    expect(minor(inv("0.1"))).toBe(10);
    expect(minor(inv(".5"))).toBe(50);
    expect(minor(inv("1500", "jpy"))).toBe(1500);
    expect(minor(inv("1500.5", "JPY"))).toBe("amount in major units with at most 0 decimals for JPY");
    expect(minor(inv("1.234", "KWD"))).toBe(1234);
    expect(minor(inv("1,234.00"))).toBe("decimal amount in major units, e.g. 1234.50 (no thousands separators)");
    expect(minor(inv(2 ** 64))).toBe("amount of at most 90,071,992,547,409 CNY");
    expect(minor(inv("12e3"))).toBe("decimal amount in major units, e.g. 1234.50 (no thousands separators)");
    expect(minor(inv(Number.NaN))).toBe("decimal amount in major units, e.g. 1234.50 (no thousands separators)");
  });

  it("derives paid amount and status and checks them against each other", () => {
    const base = { externalId: "I", customerId: "C", issueDate: "2024-01-01", dueDate: "2024-01-31", amount: "100" };
    const ok = (v: Record<string, unknown>) => {
      const r = parseRow("invoices", { ...base, ...v }, 1);
      return r.ok ? [r.value.paidMinor, r.value.status] : r.errors.map((e) => `${e.field}: ${e.expected}`);
    };
    expect(ok({})).toEqual([0, "open"]);
    expect(ok({ settledDate: "2024-02-01" })).toEqual([10000, "paid"]);
    expect(ok({ paidAmount: "40", settledDate: "2024-02-01" })).toEqual([4000, "open"]);
    expect(ok({ writtenOffDate: "2024-06-01" })).toEqual([0, "written_off"]);
    expect(ok({ status: "PAID" })).toEqual(["paidAmount: paid amount equal to amount when status is paid", "settledDate: settledDate when status is paid"]);
    expect(ok({ status: "written_off" })).toEqual(["writtenOffDate: writtenOffDate when status is written_off"]);
    expect(ok({ status: "open", writtenOffDate: "2024-06-01" })).toEqual(["status: status written_off when writtenOffDate is set"]);
    expect(ok({ status: "lost" })).toEqual(["status: one of open, paid, written_off, cancelled"]);
    expect(ok({ settledDate: "2023-12-31" })).toEqual(["settledDate: settledDate on or after issueDate 2024-01-01"]);
    expect(ok({ disputed: "maybe" })).toEqual(["disputed: true/false (also yes/no, y/n, 1/0)"]);
  });

  it("reports missing required fields by name", () => {
    const r = parseRow("payments", { externalId: "P1", amount: "5" }, 7, 8);
    expect(r.ok ? [] : r.errors).toEqual([
      { row: 7, line: 8, field: "customerId", expected: "text of 1..100 characters", received: "nothing (missing)" },
      { row: 7, line: 8, field: "date", expected: "date YYYY-MM-DD", received: "nothing (missing)" },
    ]);
  });

  it("maps header spellings to fields", () => {
    expect(["external_id", "External ID", "customer-id", "INVOICE_DATE", "Invoice Amount", "nope"].map((h) => canonicalField("invoices", h))).toEqual([
      "externalId", "externalId", "customerId", "issueDate", "amount", undefined,
    ]);
    expect(canonicalField("customers", "\ufeffCustomer ID")).toBe("externalId");
  });

  it("isCalendarDate agrees with the shared isIsoDate", () => {
    fc.assert(
      // From year 100: the shared isIsoDate goes through Date.UTC, which maps years 0-99 to 1900-1999.
      fc.property(fc.integer({ min: 100, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const s = `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
        return isCalendarDate(s) === isIsoDate(s);
      }),
      { numRuns: 3000 },
    );
    expect(["2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2024-1-01"].map(isCalendarDate)).toEqual([true, false, false, true, false]);
  });

  it("validateBatch flags non-objects, duplicate ids and keys naming one field twice", () => {
    const { parsed, errors } = validateBatch("customers", [
      { externalId: "A", name: "x" },
      "nope",
      { externalId: "A", name: "y" },
      { externalId: "B", external_id: "B2", name: "z" },
    ]);
    expect(parsed.map((p) => p.row)).toEqual([1]);
    expect(errors.map((e) => [e.row, e.field, e.expected])).toEqual([
      [2, "(row)", "an object"],
      [3, "externalId", "an external id not already used in this input (also at row 1)"],
      [4, "external_id", "one value for externalId (two keys name it)"],
    ]);
  });
});
