import { describe, expect, it } from "vitest";
import { decisionId } from "./ids";

describe("decisionId", () => {
  it("encodes the millisecond time in the first 10 characters (sortable) and is unique", () => {
    const a = decisionId(Date.UTC(2026, 10, 22, 10, 0, 0));
    expect(a).toMatch(/^dec_[0-9A-HJKMNP-TV-Z]{26}$/);
    // 2026-11-22T10:00:00Z = 1795341600000 ms -> Crockford base32, 10 digits
    expect(a.slice(4, 14)).toBe("01M81B5H80");
    expect(decisionId(1795341600001) > a).toBe(true);
    const ids = new Set(Array.from({ length: 5000 }, () => decisionId(1795341600000)));
    expect(ids.size).toBe(5000);
  });
});
