import { describe, expect, it } from "vitest";
import { fromEpochDay, toEpochDay } from "../shared";
import { dayOf, isoOf } from "./days";

describe("fast day arithmetic", () => {
  it("agrees with the shared Date-based conversion on every day from 1900 to 2200", () => {
    const lo = toEpochDay("1900-01-01");
    const hi = toEpochDay("2200-12-31");
    for (let n = lo; n <= hi; n++) {
      const iso = fromEpochDay(n);
      if (isoOf(n) !== iso || dayOf(iso) !== n) throw new Error(`mismatch at ${n} ${iso}: ${isoOf(n)} ${dayOf(iso)}`);
    }
    expect(isoOf(0)).toBe("1970-01-01");
    expect(dayOf("2024-02-29")).toBe(19782);
  });

  it("falls back to the validating parser for malformed input", () => {
    expect(dayOf("2026-02-30")).toBe(toEpochDay("2026-02-30"));
    expect(() => dayOf("26-1-1")).toThrow(RangeError);
  });
});
