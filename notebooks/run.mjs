#!/usr/bin/env node
/**
 * Jupyter wiring for the notebooks, with no global state: writes a project-local kernelspec for Deno's
 * Jupyter kernel (the `deno` npm package's binary) under .artifacts/jupyter and points JUPYTER_PATH at it.
 *
 *   node notebooks/run.mjs open                 # npm run notebooks: Jupyter Lab/Notebook on notebooks/
 *   node notebooks/run.mjs execute [NAME...]    # npm run notebooks:execute: run all headless, fail on a cell error
 *   node notebooks/run.mjs check [NAME...]      # type-check the notebooks' code cells with Deno
 *   node notebooks/run.mjs kernel               # only write the kernelspec and print JUPYTER_PATH
 *
 * `execute` writes executed copies (with outputs) to .artifacts/notebooks/ and, with --html, an HTML page
 * each; the committed .ipynb files are never modified (they stay without outputs).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const NB_DIR = join(ROOT, "notebooks");
const JUPYTER_DIR = join(ROOT, ".artifacts", "jupyter");
const OUT_DIR = join(ROOT, ".artifacts", "notebooks");
const KERNEL_NAME = "credit-deno";

function denoBinary() {
  const bin = join(ROOT, "node_modules", "deno", process.platform === "win32" ? "deno.exe" : "deno");
  if (!existsSync(bin)) fail(`Deno binary not found at ${bin}: run npm install (the deno package is a devDependency)`);
  return bin;
}

function fail(msg, code = 2) {
  console.error(`notebooks: ${msg}`);
  process.exit(code);
}

/** Writes the kernelspec and returns the environment for jupyter commands. */
function kernelEnv() {
  const dir = join(JUPYTER_DIR, "kernels", KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [denoBinary(), "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno (credit)",
    language: "typescript",
    // Deno finds the project's deno.json from the kernel's working directory (the notebook's folder).
    env: { NO_COLOR: "1", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
  };
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec, null, 2));
  const paths = [JUPYTER_DIR, process.env.JUPYTER_PATH].filter(Boolean);
  return { ...process.env, JUPYTER_PATH: paths.join(delimiter) };
}

function hasJupyter(sub) {
  const r = spawnSync("jupyter", [sub, "--version"], { stdio: "ignore" });
  return r.status === 0;
}

function notebooks(names) {
  const all = readdirSync(NB_DIR).filter((f) => f.endsWith(".ipynb")).sort();
  if (names.length === 0) return all;
  return names.map((n) => {
    const f = all.find((a) => a === n || a === `${n}.ipynb` || a.startsWith(n));
    if (!f) fail(`no notebook matches '${n}'; expected one of: ${all.join(", ")}`);
    return f;
  });
}

function execute(args) {
  const html = args.includes("--html");
  const names = args.filter((a) => !a.startsWith("--"));
  if (!hasJupyter("nbconvert")) {
    fail("jupyter nbconvert is not installed; on Debian: apt-get install -y jupyter-nbconvert python3-ipykernel");
  }
  const env = kernelEnv();
  mkdirSync(OUT_DIR, { recursive: true });
  const failed = [];
  for (const nb of notebooks(names)) {
    const t0 = Date.now();
    const r = spawnSync(
      "jupyter",
      [
        "nbconvert", "--to", "notebook", "--execute", `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
        "--ExecutePreprocessor.timeout=600", "--output-dir", OUT_DIR, join(NB_DIR, nb),
      ],
      { env, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" },
    );
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (r.status !== 0) {
      failed.push(nb);
      console.error(r.stderr);
      console.error(`notebooks: ${nb} FAILED after ${secs} s`);
      continue;
    }
    console.error(`notebooks: ${nb} ok in ${secs} s -> ${join(".artifacts", "notebooks", nb)}`);
    if (html) {
      const h = spawnSync("jupyter", ["nbconvert", "--to", "html", "--output-dir", OUT_DIR, join(OUT_DIR, nb)], { env, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
      if (h.status !== 0) console.error(h.stderr);
    }
  }
  if (failed.length) fail(`${failed.length} notebook(s) failed: ${failed.join(", ")}`, 1);
}

function open() {
  const env = kernelEnv();
  for (const app of ["lab", "notebook"]) {
    if (hasJupyter(app)) {
      const r = spawnSync("jupyter", [app, NB_DIR], { env, stdio: "inherit" });
      process.exit(r.status ?? 1);
    }
  }
  console.error(
    [
      "notebooks: neither Jupyter Lab nor Jupyter Notebook is installed here.",
      "  - Jupyter: install it (apt-get install -y jupyter-notebook, or pip install jupyterlab), then run npm run notebooks again.",
      "  - VS Code (Jupyter extension): open a notebook in notebooks/ and pick the kernel 'Deno (credit)';",
      `    to make it visible to VS Code, export JUPYTER_PATH=${JUPYTER_DIR} before starting VS Code,`,
      "    or register Deno's kernel for your user once: npx deno jupyter --install.",
    ].join("\n"),
  );
  process.exit(2);
}

/**
 * Type-checks each notebook's code cells, concatenated into one module next to the notebook (so its relative
 * imports resolve) and removed afterwards, and the helpers in notebooks/lib. Only diagnostics in notebooks/ are reported: `deno check`
 * also checks the imported project files, whose Node-oriented typing (e.g. import.meta.dirname) differs in Deno.
 */
function check(args) {
  const names = notebooks(args.filter((a) => !a.startsWith("--")));
  const files = names.map((nb) => {
    const cells = JSON.parse(readFileSync(join(NB_DIR, nb), "utf8")).cells.filter((c) => c.cell_type === "code");
    const file = join(NB_DIR, `.check-${nb.replace(/\.ipynb$/, "")}.ts`);
    writeFileSync(file, cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n\n") + "\n");
    return file;
  });
  let r;
  try {
    const lib = readdirSync(join(NB_DIR, "lib")).filter((f) => f.endsWith(".ts")).map((f) => join(NB_DIR, "lib", f));
    r = spawnSync(denoBinary(), ["check", ...files, ...lib], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8" });
  } finally {
    for (const f of files) rmSync(f, { force: true });
  }
  const blocks = `${r.stdout}\n${r.stderr}`
    .split(/\n(?=TS\d+ \[ERROR\])/)
    .filter((b) => /\/notebooks\/[^\s]*\.ts:\d+/.test(b))
    .map((b) => b.split(/\n\s*\n/)[0]);
  if (blocks.length) {
    console.error(blocks.join("\n\n"));
    fail(`${blocks.length} type error(s) in notebook code (line numbers count code cells only, joined by a blank line)`, 1);
  }
  console.error(`notebooks: ${names.length} notebook(s) type-check`);
}

const [cmd = "execute", ...rest] = process.argv.slice(2);
if (cmd === "execute") execute(rest);
else if (cmd === "open") open();
else if (cmd === "check") check(rest);
else if (cmd === "kernel") console.log(`JUPYTER_PATH=${kernelEnv().JUPYTER_PATH}`);
else fail(`unknown command '${cmd}'; expected open, execute, check or kernel`);
