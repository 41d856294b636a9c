import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** `credit import` end to end in a child process: summary, error report, --errors file, exit status. */
const ROOT = join(import.meta.dirname, "../../..");
let dir: string;

function credit(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/credit.mjs"), "import", ...args, "--database", `file:${join(dir, "cli.db")}`], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-import-"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("credit import", () => {
  it("imports a file, prints the summary, and refuses a bad one with exit 2 and a safe --errors CSV", () => {
    const customers = join(dir, "c.csv");
    writeFileSync(customers, "external_id,name\nC1,Acme\nC2,Beta\n");
    const ok = credit("customers", customers, "--quiet");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/created {4}2\n/);
    expect(ok.stdout).toContain("status     committed");

    const bad = join(dir, "i.csv");
    writeFileSync(bad, "id,customer,issue_date,due_date,amount\nI1,C1,2024-01-01,2024-01-31,10\nI2,=cmd|calc,2024-01-01,2024-01-31,10\n");
    const errors = join(dir, "errors.csv");
    const r = credit("invoices", bad, "--quiet", "--errors", errors);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("refused: nothing written");
    expect(r.stdout).toContain("row 2 (line 3) customerId: expected text not starting with = + - @ tab or CR");
    const lines = readFileSync(errors, "utf8").trim().split("\r\n");
    expect(lines[0]).toBe("row,line,field,expected,received");
    // The received value is quoted text starting with "string", so it cannot be a formula when opened.
    expect(lines[1]).toMatch(/^2,3,customerId,/);

    expect(credit("orders", bad).status).toBe(2);
  });
});
