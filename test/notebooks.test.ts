import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The notebooks in notebooks/: committed without outputs and with the project kernel, and executed headless
 * (Deno's Jupyter kernel under `jupyter nbconvert --execute`, through notebooks/run.mjs) with no cell error
 * and the charts each title promises. Execution is skipped when jupyter-nbconvert is not installed, except
 * under CI=true, where a missing nbconvert fails the test.
 */

const ROOT = join(import.meta.dirname, "..");
const NB_DIR = join(ROOT, "notebooks");
const OUT_DIR = join(ROOT, ".artifacts", "notebooks");

interface Cell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  outputs?: { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string }[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name: string; language: string } };
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Notebook;
const text = (s: string | string[] | unknown) => (Array.isArray(s) ? s.join("") : String(s ?? ""));

/** Per notebook: chart titles (text inside the SVG outputs) that must appear, and a minimum number of SVG charts. */
const EXPECTED: Record<string, { charts: number; titles: string[] }> = {
  "01-payment-history.ipynb": {
    charts: 9,
    titles: ["IBM: days late over time", "Demo portfolio: days late over time", "days late of late invoices", "overdue share of receivables by bucket", "Aging of the receivables book", "Customers by on-time share", "Customers by mean days late"],
  },
  "02-binning-scorecard.ipynb": {
    charts: 12,
    titles: ["Information value per feature", "PAY_0: WoE and default rate by bin", "LIMIT_BAL: WoE and default rate by bin", "Scorecard coefficients on WoE", "points per bin", "Test: score by outcome", "Test: default rate by score decile"],
  },
  "03-model-comparison.ipynb": {
    charts: 5,
    titles: ["ROC on the test split", "Calibration on the test split", "Cumulative gains on the test split", "Lift by risk ventile"],
  },
  "04-model-report-drift.ipynb": {
    charts: 7,
    titles: ["Candidates at training time", "Calibration recorded in metrics.json", "Bad rate by score band", "PD deciles of the training file", "PD distribution: reference vs new samples", "PSI per input against the training file"],
  },
};

const committed = readdirSync(NB_DIR).filter((f) => f.endsWith(".ipynb")).sort();
const hasNbconvert = spawnSync("jupyter", ["nbconvert", "--version"], { stdio: "ignore" }).status === 0;

describe("committed notebooks", () => {
  it("are the four documented notebooks", () => {
    expect(committed).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(committed)("%s uses the project kernel and is committed without outputs", (name) => {
    const nb = read(join(NB_DIR, name));
    expect(nb.metadata.kernelspec).toMatchObject({ name: "credit-deno", language: "typescript" });
    const code = nb.cells.filter((c) => c.cell_type === "code");
    expect(code.length).toBeGreaterThan(3);
    for (const c of code) {
      expect(c.outputs ?? []).toEqual([]);
      expect(c.execution_count ?? null).toBeNull();
    }
  });

  it.each(committed)("%s imports the project's modules, not copies", (name) => {
    const src = read(join(NB_DIR, name)).cells.map((c) => text(c.source)).join("\n");
    expect(src).toMatch(/from "\.\.\/(training|src)\//);
    // Outputs go through show() (display_data), which the Deno kernel delivers before the cell ends.
    expect(src).toContain("await show(");
  });
});

describe("notebook code", () => {
  it("notebooks/lib helpers pass their Deno tests (deno test notebooks/lib)", { timeout: 120_000 }, () => {
    const deno = join(ROOT, "node_modules", "deno", process.platform === "win32" ? "deno.exe" : "deno");
    // Type errors are the job of the check below; --no-check keeps this independent of project files' Deno typing.
    const r = spawnSync(deno, ["test", "-A", "--no-check", "notebooks/lib/"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 110_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/ok \| 5 passed \| 0 failed/);
  });

  it("type-checks under Deno (node notebooks/run.mjs check)", { timeout: 180_000 }, () => {
    const r = spawnSync(process.execPath, [join(NB_DIR, "run.mjs"), "check"], { cwd: ROOT, encoding: "utf8", timeout: 170_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(NB_DIR).filter((f) => f.startsWith(".check-"))).toEqual([]);
  });
});

describe.runIf(hasNbconvert || process.env.CI === "true")("notebooks execute headless", () => {
  it("every notebook runs without a cell error and shows the charts its title promises", { timeout: 900_000 }, () => {
    const r = spawnSync(process.execPath, [join(NB_DIR, "run.mjs"), "execute"], { cwd: ROOT, encoding: "utf8", timeout: 880_000 });
    expect(r.status, `notebooks:execute failed:\n${r.stderr}`).toBe(0);
    for (const name of committed) {
      const path = join(OUT_DIR, name);
      expect(existsSync(path), `${path} written`).toBe(true);
      const nb = read(path);
      const code = nb.cells.filter((c) => c.cell_type === "code");
      const outputs = code.flatMap((c) => c.outputs ?? []);
      expect(outputs.filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}`), name).toEqual([]);
      // Every show() call produced its output (lost outputs would mean the IOPub race is back).
      for (const c of code) {
        const shows = text(c.source).match(/await show\(/g)?.length ?? 0;
        expect((c.outputs ?? []).length, `${name}: outputs of cell\n${text(c.source).slice(0, 200)}`).toBeGreaterThanOrEqual(shows);
      }
      const rendered = outputs.map((o) => text(o.data?.["text/html"]) + text(o.data?.["image/svg+xml"])).join("\n");
      const svgCount = outputs.reduce((n, o) => n + (text(o.data?.["text/html"]).match(/<svg /g)?.length ?? 0), 0);
      expect(svgCount, `${name}: SVG charts`).toBeGreaterThanOrEqual(EXPECTED[name].charts);
      for (const title of EXPECTED[name].titles) expect(rendered, `${name}: chart '${title}'`).toContain(title);
    }
  });
});
