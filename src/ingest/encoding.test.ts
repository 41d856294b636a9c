import { describe, expect, it } from "vitest";
import iconv from "iconv-lite";
import { detectEncodingOf, EncodingError } from "./encoding";
import { CompactIdSet, hash64 } from "./idset";

const csv = "externalId,name\nC1,上海钢铁有限公司\nC2,广州纺织（集团）\n";

describe("encoding detection", () => {
  it("reads byte-order marks", () => {
    expect(detectEncodingOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]))).toEqual({ encoding: "utf-8", bomBytes: 3, how: "bom" });
    expect(detectEncodingOf(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(csv, "utf-16le")]))).toEqual({ encoding: "utf-16le", bomBytes: 2, how: "bom" });
    expect(detectEncodingOf(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(csv, "utf-16be")]))).toEqual({ encoding: "utf-16be", bomBytes: 2, how: "bom" });
  });

  it("takes valid UTF-8 (and ASCII) as UTF-8, even when the sample cuts a character", () => {
    expect(detectEncodingOf(Buffer.from(csv)).encoding).toBe("utf-8");
    expect(detectEncodingOf(Buffer.from("a,b\n1,2\n")).how).toBe("valid-utf8");
    const cut = Buffer.from(csv).subarray(0, Buffer.from("externalId,name\nC1,上").length - 1);
    expect(detectEncodingOf(cut).encoding).toBe("utf-8");
  });

  it("recognises GBK / GB18030 Chinese text", () => {
    expect(detectEncodingOf(iconv.encode(csv, "gbk"))).toEqual({ encoding: "gb18030", bomBytes: 0, how: "gb18030-heuristic" });
  });

  it("refuses a single-byte encoding instead of producing mojibake, naming the offset", () => {
    const latin = iconv.encode("externalId,name\nC1,Société Générale résumé\n", "windows-1252");
    expect(() => detectEncodingOf(latin)).toThrow(EncodingError);
    expect(() => detectEncodingOf(latin)).toThrow(/invalid UTF-8 byte 0xe9 at byte offset 23/);
    expect(detectEncodingOf(latin, "windows-1252")).toEqual({ encoding: "windows-1252", bomBytes: 0, how: "explicit" });
    expect(() => detectEncodingOf(latin, "klingon-8")).toThrow(/unknown encoding 'klingon-8'/);
  });
});

describe("CompactIdSet", () => {
  it("finds repeats and keeps the first row, across growth", () => {
    const s = new CompactIdSet(4);
    for (let i = 1; i <= 5000; i++) expect(s.add(`INV${i}`, i)).toBe(0);
    expect(s.size).toBe(5000);
    expect(s.add("INV17", 6000)).toBe(17);
    expect(s.add("INV5000", 6001)).toBe(5000);
    expect(s.add("INV5001", 6002)).toBe(0);
  });

  it("hash64 is deterministic and spreads similar ids", () => {
    expect(hash64("INV1")).toEqual(hash64("INV1"));
    expect(hash64("INV1")).not.toEqual(hash64("INV2"));
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(hash64(`C${i}`).join(":"));
    expect(seen.size).toBe(100_000);
  });
});
