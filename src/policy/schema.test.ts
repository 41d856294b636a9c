import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { AppError, ValidationError } from "../shared";
import { loadPolicyFile, parsePolicy } from "./schema";
import { PolicyStore } from "./store";
import { defaultPolicyDoc } from "./test-helpers";

const root = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "policy-"));
const write = (name: string, doc: unknown, asJson = false) => {
  const path = join(dir, name);
  writeFileSync(path, asJson ? JSON.stringify(doc) : stringify(doc));
  return path;
};
const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error("expected a ValidationError");
};

describe("policy files", () => {
  it("loads both shipped policies, with the version from the file plus its sha256", () => {
    for (const f of ["policy/default.yaml", "policy/conservative.yaml"]) {
      const path = join(root, f);
      const p = loadPolicyFile(path);
      const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
      expect(p.sha256).toBe(sha);
      expect(p.version).toBe(`${p.declaredVersion}+${sha.slice(0, 12)}`);
      expect(p.tiers.map((t) => t.id)).toEqual(["A", "B", "C", "D"]);
    }
    expect(loadPolicyFile(join(root, "policy/default.yaml")).declaredVersion).toBe("2026.11-default");
  });

  it("converts major-unit amounts to minor units at load", () => {
    const p = parsePolicy(defaultPolicyDoc());
    expect(p.limits.perTier.A.capMinor).toBe(500_000_000);
    expect(p.limits.perTier.B.expectedLossBudgetMinor).toBe(3_000_000);
    expect(p.limits.trial).toEqual({ minInvoices: 6, minTenureDays: 180, baseMinor: 2_000_000, growthPerOnTimeInvoiceMinor: 1_000_000, maxMinor: 8_000_000 });
    expect(p.limits.rounding).toEqual([
      { belowMinor: 10_000_000, stepMinor: 100_000 },
      { belowMinor: 100_000_000, stepMinor: 1_000_000 },
      { belowMinor: Infinity, stepMinor: 5_000_000 },
    ]);
    expect(p.review.approvalAboveMinor).toBe(20_000_000);
  });

  it("reads JSON as well as YAML", () => {
    const p = loadPolicyFile(write("p.json", defaultPolicyDoc(), true));
    expect(p.declaredVersion).toBe("2026.11-default");
  });

  it("names each bad field with what was expected and received", () => {
    const doc = defaultPolicyDoc();
    doc.rules.overdueShare.maxShare = 1.5;
    doc.tiers[1].maxPd = 0.01;
    doc.currency = "yuan";
    delete doc.limits.perTier.C;
    doc.collections.ladders.B[2].offsetDays = 2;
    const issues = issuesOf(() => parsePolicy(doc, "bad.yaml"));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath["/rules/overdueShare/maxShare"].received).toBe("number 1.5");
    expect(byPath["/currency"]).toMatchObject({ expected: "an ISO 4217 currency code", received: 'string "yuan"' });
    // Cross-field checks run once the shape is valid; fix the shape errors and they show.
    const doc2 = defaultPolicyDoc();
    doc2.tiers[1].maxPd = 0.01;
    delete doc2.limits.perTier.C;
    doc2.collections.ladders.B[2].offsetDays = 2;
    doc2.tiers[3].maxPd = 0.9;
    const issues2 = issuesOf(() => parsePolicy(doc2));
    expect(issues2.map((i) => i.path).sort()).toEqual(["/collections/ladders/B/2/offsetDays", "/limits/perTier/C", "/tiers/1/maxPd", "/tiers/3/maxPd"]);
    expect(issues2.find((i) => i.path === "/tiers/1/maxPd")).toMatchObject({ expected: "a maxPd above the previous tier's 0.02", received: "number 0.01" });
  });

  it("refuses unparsable and unreadable files", () => {
    const bad = join(dir, "broken.yaml");
    writeFileSync(bad, "version: [unclosed\n");
    expect(issuesOf(() => loadPolicyFile(bad))[0].path).toBe("(file)");
    expect(() => loadPolicyFile(join(dir, "missing.yaml"))).toThrow(AppError);
  });
});

describe("PolicyStore", () => {
  it("reloads a new version without a restart and refuses an invalid one, keeping the old in force", () => {
    const v1 = write("v1.yaml", defaultPolicyDoc());
    const store = PolicyStore.fromFile(v1);
    const first = store.current();
    const seen: string[] = [];
    store.onActivate((p, prev) => seen.push(`${prev.declaredVersion}->${p.declaredVersion}`));

    const doc2 = defaultPolicyDoc();
    doc2.version = "2026.12";
    const second = store.reload(write("v2.yaml", doc2));
    expect(store.current()).toBe(second);
    expect(second.declaredVersion).toBe("2026.12");

    const bad = defaultPolicyDoc();
    bad.version = "2026.13";
    bad.limits.lgd = 0;
    const badPath = write("v3.yaml", bad);
    expect(() => store.reload(badPath)).toThrow(ValidationError);
    expect(store.current()).toBe(second);
    expect(() => store.reload(join(dir, "nope.yaml"))).toThrow(AppError);
    expect(store.current()).toBe(second);

    expect(store.activate(first)).toBe(second);
    expect(store.current()).toBe(first);
    expect(seen).toEqual(["2026.11-default->2026.12", "2026.12->2026.11-default"]);
  });
});

describe("PolicyStore.watch", () => {
  it("picks up a changed file and refuses a broken one, keeping the running policy", async () => {
    const path = write("watched.yaml", defaultPolicyDoc());
    const store = PolicyStore.fromFile(path);
    const errors: unknown[] = [];
    const stop = store.watch(path, { intervalMs: 20, onError: (e) => errors.push(e) });
    try {
      const doc = defaultPolicyDoc();
      doc.version = "2026.12-watched";
      writeFileSync(path, stringify(doc));
      await vi.waitFor(() => expect(store.current().declaredVersion).toBe("2026.12-watched"), { timeout: 5000, interval: 20 });
      writeFileSync(path, "version: [broken\n");
      await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 5000, interval: 20 });
      expect(errors[0]).toBeInstanceOf(ValidationError);
      expect(store.current().declaredVersion).toBe("2026.12-watched");
    } finally {
      stop();
    }
  });
});

describe("credit policy check", () => {
  async function run(args: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    const before = process.exitCode;
    try {
      const { main } = await import("../cli/main");
      await main(args);
      return { code: process.exitCode as number | undefined, out: out.join(""), err: err.join("") };
    } finally {
      o.mockRestore();
      e.mockRestore();
      process.exitCode = before;
    }
  }

  it("prints OK and a summary for a valid file", async () => {
    const r = await run(["policy", "check", join(root, "policy/default.yaml")]);
    expect(r.code ?? 0).toBe(0);
    expect(r.out).toMatch(/^OK .*default\.yaml\nversion   2026\.11-default\+[0-9a-f]{12}\n/);
    expect(r.out).toContain("B standard/标准: PD [0.02, 0.08), review every 3 month(s), cap 2,000,000.00");
  });

  it("prints each bad field and exits 2 for an invalid file", async () => {
    const doc = defaultPolicyDoc();
    doc.rules.pdRise.maxIncrease = -1;
    doc.tiers[0].reviewMonths = 0;
    const r = await run(["policy", "check", write("invalid.yaml", doc)]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain("/rules/pdRise/maxIncrease: expected");
    expect(r.err).toContain("received number -1");
    expect(r.err).toContain("/tiers/0/reviewMonths");
  });
});
