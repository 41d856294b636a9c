import { describe, expect, it } from "vitest";
import { addDays, addMonths, daysBetween, fromEpochDay, isIsoDate, toEpochDay } from "./dates";
import { toMajor, toMinor } from "./money";
import { NotFoundError, ValidationError, describeValue, toProblem } from "./errors";
import { newId } from "./ids";

describe("calendar dates", () => {
  it("converts to and from day numbers", () => {
    expect(toEpochDay("1970-01-01")).toBe(0);
    expect(toEpochDay("2026-11-22")).toBe(20779);
    expect(fromEpochDay(20779)).toBe("2026-11-22");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(daysBetween("2026-01-31", "2026-03-02")).toBe(30);
  });
  it("clamps month ends and rejects impossible dates", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2026-03-15", -3)).toBe("2025-12-15");
    expect(isIsoDate("2026-02-29")).toBe(false);
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2026-1-1")).toBe(false);
  });
});

describe("money", () => {
  it("converts major to minor units exactly", () => {
    expect(toMinor(1234.5, "CNY")).toBe(123450);
    expect(toMinor(1.005, "USD")).toBe(101);
    expect(toMinor(0.1 + 0.2, "CNY")).toBe(30);
    expect(toMinor(-12.345, "CNY")).toBe(-1235);
    expect(toMinor(1500, "JPY")).toBe(1500);
    expect(toMinor(1.2345, "KWD")).toBe(1235);
    expect(toMajor(123450n, "CNY")).toBe(1234.5);
  });
  it("refuses non-finite and oversize amounts", () => {
    expect(() => toMinor(Number.NaN)).toThrow(RangeError);
    expect(() => toMinor(1e17)).toThrow(/too large/);
  });
});

describe("errors", () => {
  it("renders validation errors as problem+json with one entry per field", () => {
    const e = new ValidationError([{ path: "/order/amount", expected: "number", received: describeValue("12") }]);
    const p = toProblem(e, "/score");
    expect(p).toMatchObject({ type: "/problems/validation-error", status: 400, instance: "/score" });
    expect(p.errors).toEqual([{ path: "/order/amount", expected: "number", received: 'string "12"' }]);
    expect(p.detail).toContain("/order/amount: expected number");
  });
  it("hides internals of unknown errors", () => {
    const p = toProblem(new Error("SELECT * FROM secret"));
    expect(p.status).toBe(500);
    expect(JSON.stringify(p)).not.toContain("SELECT");
    expect(toProblem(new NotFoundError("decision", "d1")).status).toBe(404);
  });
});

describe("ids", () => {
  it("sort by creation time and are unique", () => {
    const a = newId("dec_", 1_700_000_000_000);
    const b = newId("dec_", 1_700_000_000_001);
    expect(a < b).toBe(true);
    expect(a).toMatch(/^dec_[0-9A-Z]{26}$/);
    expect(new Set(Array.from({ length: 1000 }, () => newId())).size).toBe(1000);
  });
});
