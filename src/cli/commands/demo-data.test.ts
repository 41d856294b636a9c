import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ConflictError } from "../../shared";
import { reportCliError } from "../errors";
import { buildProgram } from "../main";

const dir = mkdtempSync(join(tmpdir(), "demo-cli-"));
const url = `file:${join(dir, "c.db")}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ out: string; err: unknown }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (chunks.push(String(s)), true));
  let err: unknown = null;
  try {
    const program = await buildProgram();
    await program.parseAsync(["demo-data", ...args], { from: "user" });
  } catch (e) {
    err = e;
  } finally {
    spy.mockRestore();
  }
  return { out: chunks.join(""), err };
}

describe("credit demo-data", () => {
  const base = ["--customers", "6", "--seed", "3", "--as-of", "2026-11-22", "--database", url, "--quiet"];

  it("writes the portfolio and reports the counts", async () => {
    const r = await run([...base, "--json"]);
    expect(r.err).toBeNull();
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ asOf: "2026-11-22", seed: 3, customers: 6, profiles: 6, deletedCustomers: 0 });
    expect(j.invoices).toBeGreaterThan(50);
  });

  it("refuses a non-empty database with exit code 2, and resets when asked", async () => {
    const r = await run(base);
    expect(r.err).toBeInstanceOf(ConflictError);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(reportCliError(r.err)).toBe(2);
    vi.restoreAllMocks();
    const reset = await run([...base, "--reset"]);
    expect(reset.err).toBeNull();
    expect(reset.out).toMatch(/^deleted 6 customers first; wrote 6 customers, \d+ invoices/);
  });

  it("rejects --append together with --reset", async () => {
    const r = await run([...base, "--append", "--reset"]);
    expect(String(r.err)).toMatch(/--append\/--reset: expected at most one of --append and --reset/);
  });
});
