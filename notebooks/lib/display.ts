/**
 * Notebook display helpers: rich outputs for the Deno Jupyter kernel. An object with a
 * `Symbol.for("Jupyter.display")` method renders as the MIME bundle it returns when passed to
 * `Deno.jupyter.display` (use {@link show}). Charts are the project's own SVG charts from training/report
 * (the same ones as report.html), with the report's chart CSS inlined so they render on their own in
 * Jupyter and in nbconvert's HTML.
 */

/** A value the Deno Jupyter kernel renders as the given MIME bundle. */
export interface Displayable {
  [key: symbol]: () => Record<string, unknown>;
}

const DISPLAY = Symbol.for("Jupyter.display");

// The chart classes used by training/report/svg.ts, styled as in training/report/render.ts.
const CHART_CSS =
  ".ct{font-size:14px;font-weight:600;fill:#1d2430}.tk{font-size:11px;fill:#5b6575}.al{font-size:12px;fill:#1d2430}" +
  ".lg{font-size:11.5px;fill:#1d2430}.grid{stroke:#e6e9ef;stroke-width:1}.ax{stroke:#8a93a3;stroke-width:1}" +
  'text{font-family:"Segoe UI",Roboto,Arial,"Noto Sans CJK SC",sans-serif}';

/** Wraps a MIME bundle so the kernel renders it. */
export function bundle(data: Record<string, unknown>): Displayable {
  return { [DISPLAY]: () => data };
}

/**
 * An SVG chart (as returned by `lineChart`, `barChart`, `histogram` from training/report) as an inline
 * output (text/html and image/svg+xml), with the chart stylesheet embedded.
 * @throws Error when `markup` is not an `<svg ...>` element.
 */
export function svg(markup: string): Displayable {
  const s = styled(markup);
  // text/html too: nbconvert 6.5's HTML exporter sanitises image/svg+xml outputs down to their text, and
  // renders text/html first when both are present.
  return bundle({ "text/html": s, "image/svg+xml": s, "text/plain": `[chart: ${titleOf(markup)}]` });
}

/** Several charts side by side (wrapping), as one HTML output with each SVG inline. */
export function grid(...charts: string[]): Displayable {
  const cells = charts.map((c) => `<div style="flex:1 1 420px;max-width:600px">${styled(c).replace("<svg ", '<svg style="width:100%;height:auto" ')}</div>`).join("");
  return bundle({
    "text/html": `<div style="display:flex;flex-wrap:wrap;gap:12px">${cells}</div>`,
    "text/plain": charts.map((c) => `[chart: ${titleOf(c)}]`).join("\n"),
  });
}

function styled(markup: string): string {
  const open = markup.indexOf("<svg");
  const end = open < 0 ? -1 : markup.indexOf(">", open);
  if (end < 0) throw new Error(`svg(): expected SVG markup starting with <svg, received '${markup.slice(0, 40)}'`);
  return `${markup.slice(0, end + 1)}<style>${CHART_CSS}</style>${markup.slice(end + 1)}`;
}

function titleOf(markup: string): string {
  return /aria-label="([^"]*)"/.exec(markup)?.[1] ?? "svg";
}

/** Options of {@link table}. */
export interface TableOptions {
  /** Column order (default: keys of the first row). */
  columns?: string[];
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
  /** Rows shown (default 30); the rest are counted in a footer. */
  maxRows?: number;
}

/** Rows of plain records as an HTML table (with a plain-text fallback). */
export function table(rows: readonly Record<string, unknown>[], opts: TableOptions = {}): Displayable {
  const cols = opts.columns ?? Object.keys(rows[0] ?? {});
  const digits = opts.digits ?? 4;
  const max = opts.maxRows ?? 30;
  const fmt = (v: unknown): string => {
    if (v === null || v === undefined) return "–";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : String(v);
    return String(v);
  };
  const shown = rows.slice(0, max);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const head = `<tr>${cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const body = shown.map((r) => `<tr>${cols.map((c) => `<td>${esc(fmt(r[c]))}</td>`).join("")}</tr>`).join("");
  const more = rows.length > max ? `<p>… ${rows.length - max} more rows</p>` : "";
  const text = [cols.join("\t"), ...shown.map((r) => cols.map((c) => fmt(r[c])).join("\t"))].join("\n") + (more ? `\n… ${rows.length - max} more rows` : "");
  return bundle({ "text/html": `<table>${head}${body}</table>${more}`, "text/plain": text });
}

/** Markdown text (e.g. a conclusion computed from the run's numbers). */
export function markdown(text: string): Displayable {
  return bundle({ "text/markdown": text, "text/plain": text });
}

/**
 * Displays each item now, as a display_data message (`Deno.jupyter.display`). Prefer this over leaving a
 * value as a cell's last expression: under `jupyter nbconvert --execute` the Deno kernel's execute_result
 * can arrive after the kernel reports idle and is then lost, while display_data is sent before the cell ends.
 * @throws Error outside the Deno Jupyter kernel.
 */
export async function show(...items: Displayable[]): Promise<void> {
  const jupyter = (globalThis as { Deno?: { jupyter?: { display(o: unknown): Promise<void> } } }).Deno?.jupyter;
  if (!jupyter) throw new Error("show(): expected to run in the Deno Jupyter kernel (Deno.jupyter is missing)");
  for (const it of items) await jupyter.display(it);
  // Deno.jupyter.display resolves before its message is on the IOPub socket; without a pause the kernel can
  // report the cell idle first and nbconvert drops the output (seen in about 1 cell in 7 without it).
  await new Promise((r) => setTimeout(r, FLUSH_MS));
}

/** Pause after displays so they reach IOPub before the cell ends, ms. */
const FLUSH_MS = 100;
