/**
 * Small SVG charts with axes, gridlines, labels and legends: bar (grouped or stacked), line, horizontal
 * waterfall and x/y curves (ROC, calibration). Each returns a self-scaling <svg> (viewBox, width 100%).
 * Data attributes (`data-series`, `data-value`, `data-contribution`) make the plotted numbers checkable.
 */
import { h, s } from "./dom";

export const PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];
/** Tier colours: A best (green) to D worst (red). */
export const TIER_COLORS: Record<string, string> = { A: "#16a34a", B: "#2563eb", C: "#f59e0b", D: "#dc2626", E: "#7f1d1d" };
export const AGING_COLORS = ["#16a34a", "#facc15", "#f59e0b", "#ea580c", "#b91c1c"];

export interface Series {
  name: string;
  values: (number | null)[];
  color?: string;
}

/** "Nice" axis ticks covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    max = min === 0 ? 1 : min + Math.abs(min) * 0.5;
    if (min > 0) min = 0;
  }
  const span = max - min;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function legend(series: { name: string; color: string }[]): HTMLElement {
  return h(
    "div",
    { class: "legend" },
    series.map((x) => h("span", { class: "legend-item" }, h("i", { style: `background:${x.color}` }), x.name)),
  );
}

function frame(svg: SVGElement, title: string | undefined, series: { name: string; color: string }[] | null): HTMLElement {
  return h("figure", { class: "chart" }, title ? h("figcaption", null, title) : null, svg, series && series.length ? legend(series) : null);
}

/** The charts' coordinate width on a wide screen (they scale to their box, up to 860 px). */
export const WIDE_W = 560;
/** Below this viewport width (the stylesheet's phone breakpoint) charts are laid out for the screen's width. */
const PHONE_MAX = 640;
/** Horizontal space a chart loses to the page and card padding on a phone (CSS px). */
const PHONE_GUTTER = 60;

/**
 * The width of a chart's coordinate system (viewBox) for a viewport `viewportW` CSS px wide. A chart is drawn
 * at 100% of its card: on a phone a 560-unit viewBox would shrink 11 px text to about 7 px, so there the
 * viewBox is about the width the chart is drawn at and text keeps its CSS size (the layout adapts instead).
 */
export function chartWidth(viewportW: number = typeof window === "undefined" ? 1280 : window.innerWidth): number {
  if (!(viewportW > 0) || viewportW > PHONE_MAX) return WIDE_W;
  return Math.max(280, Math.min(WIDE_W, Math.round(viewportW - PHONE_GUTTER)));
}

/** Every `step`-th category label is drawn so that labels about `labelPx` wide do not overlap in `innerW`. */
export function labelStep(n: number, innerW: number, labelPx = 64): number {
  const fit = Math.max(2, Math.floor(innerW / labelPx));
  return n > fit ? Math.ceil(n / fit) : 1;
}

const M = { top: 14, right: 14, bottom: 40, left: 64 };

/**
 * Vertical bar chart over categories; several series are grouped side by side, or stacked with
 * `stacked: true`. `format` renders axis ticks and value labels.
 */
export function barChart(opts: {
  title?: string;
  categories: string[];
  series: Series[];
  stacked?: boolean;
  format?: (v: number) => string;
  height?: number;
  /** viewBox width for a chart drawn in a narrow box (default `chartWidth()`), so its text is not shrunk. */
  width?: number;
  showValues?: boolean;
  colorsByCategory?: string[];
}): HTMLElement {
  const H = opts.height ?? 240;
  const W = Math.min(opts.width ?? WIDE_W, chartWidth());
  const fmt = opts.format ?? ((v: number) => String(v));
  const series = opts.series.map((x, i) => ({ ...x, color: x.color ?? PALETTE[i % PALETTE.length] }));
  const n = opts.categories.length;
  const totals = opts.categories.map((_, i) => series.reduce((a, x) => a + Math.max(0, x.values[i] ?? 0), 0));
  const maxV = opts.stacked ? Math.max(0, ...totals) : Math.max(0, ...series.flatMap((x) => x.values.map((v) => v ?? 0)));
  const ticks = niceTicks(0, maxV || 1);
  const top = ticks[ticks.length - 1];
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const y = (v: number) => M.top + ih - (v / top) * ih;
  const band = iw / Math.max(1, n);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg", role: "img", "aria-label": opts.title ?? "" });
  for (const tk of ticks) {
    svg.appendChild(s("line", { x1: M.left, x2: W - M.right, y1: y(tk), y2: y(tk), class: "grid" }));
    svg.appendChild(s("text", { x: M.left - 6, y: y(tk) + 4, "text-anchor": "end", class: "tick" }, fmt(tk)));
  }
  const step = Math.max(labelStep(n, iw), n > 8 ? Math.ceil(n / 8) : 1);
  opts.categories.forEach((c, i) => {
    const x0 = M.left + i * band;
    if (i % step === 0) svg.appendChild(s("text", { x: x0 + band / 2, y: H - M.bottom + 16, "text-anchor": "middle", class: "tick" }, c));
    let acc = 0;
    const gw = (band * 0.72) / (opts.stacked ? 1 : series.length);
    series.forEach((x, si) => {
      const v = x.values[i] ?? 0;
      const color = opts.colorsByCategory && series.length === 1 ? opts.colorsByCategory[i % opts.colorsByCategory.length] : x.color;
      const bx = opts.stacked ? x0 + band * 0.14 : x0 + band * 0.14 + si * gw;
      const by = opts.stacked ? y(acc + v) : y(v);
      const bh = opts.stacked ? y(acc) - y(acc + v) : y(0) - y(v);
      svg.appendChild(
        s("rect", { x: bx, y: by, width: Math.max(1, gw - 2), height: Math.max(0, bh), fill: color, rx: 2, dataset: { series: x.name, category: c, value: String(v) } },
          s("title", null, `${c} · ${x.name}: ${fmt(v)}`)),
      );
      if (opts.showValues && !opts.stacked && bh > 0) {
        svg.appendChild(s("text", { x: bx + (gw - 2) / 2, y: by - 4, "text-anchor": "middle", class: "value" }, fmt(v)));
      }
      acc += v;
    });
  });
  svg.appendChild(s("line", { x1: M.left, x2: W - M.right, y1: y(0), y2: y(0), class: "axis" }));
  return frame(svg, opts.title, series.length > 1 || opts.stacked ? series : null);
}

/** Line chart over categories (nulls break the line). */
export function lineChart(opts: { title?: string; categories: string[]; series: Series[]; format?: (v: number) => string; height?: number; yMin?: number }): HTMLElement {
  const H = opts.height ?? 220;
  const W = chartWidth();
  const fmt = opts.format ?? ((v: number) => String(v));
  const series = opts.series.map((x, i) => ({ ...x, color: x.color ?? PALETTE[i % PALETTE.length] }));
  const vals = series.flatMap((x) => x.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const ticks = niceTicks(opts.yMin ?? Math.min(0, ...vals), Math.max(...(vals.length ? vals : [1])));
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const n = opts.categories.length;
  const x = (i: number) => M.left + (n <= 1 ? iw / 2 : (i / (n - 1)) * iw);
  const y = (v: number) => M.top + ih - ((v - lo) / (hi - lo || 1)) * ih;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg", role: "img", "aria-label": opts.title ?? "" });
  for (const tk of ticks) {
    svg.appendChild(s("line", { x1: M.left, x2: W - M.right, y1: y(tk), y2: y(tk), class: "grid" }));
    svg.appendChild(s("text", { x: M.left - 6, y: y(tk) + 4, "text-anchor": "end", class: "tick" }, fmt(tk)));
  }
  const step = Math.max(labelStep(n, iw), n > 8 ? Math.ceil(n / 8) : 1);
  opts.categories.forEach((c, i) => {
    if (i % step === 0) svg.appendChild(s("text", { x: x(i), y: H - M.bottom + 16, "text-anchor": "middle", class: "tick" }, c));
  });
  for (const sr of series) {
    let d = "";
    let pen = false;
    sr.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    svg.appendChild(s("path", { d, fill: "none", stroke: sr.color, "stroke-width": 2.2, dataset: { series: sr.name } }));
    sr.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      svg.appendChild(s("circle", { cx: x(i), cy: y(v), r: 3, fill: sr.color, dataset: { value: String(v) } }, s("title", null, `${opts.categories[i]} · ${sr.name}: ${fmt(v)}`)));
    });
  }
  svg.appendChild(s("line", { x1: M.left, x2: W - M.right, y1: M.top + ih, y2: M.top + ih, class: "axis" }));
  return frame(svg, opts.title, series.length > 1 ? series : null);
}

/**
 * Horizontal waterfall: each item's bar starts where the previous one ended; the last row shows the total.
 * Positive values (risk up) are red, negative (risk down) green. Each bar carries `data-contribution`.
 * Rows show `short` when given (e.g. the factor and its value, with the full sentence below the chart), else
 * `label`. Labels wrap onto up to three lines, in a column of about 44% of the width (130-280 units) beside
 * the bars, or on a phone (viewBox under 420 units) above each bar across the whole width; a row grows with
 * its label, and only what still does not fit ends in "…" (the full label is the row's tooltip).
 */
export function waterfallChart(opts: { title?: string; items: { label: string; short?: string; value: number; detail?: string }[]; totalLabel: string; format?: (v: number) => string }): HTMLElement {
  const fmt = opts.format ?? ((v: number) => v.toFixed(3));
  const W = chartWidth();
  const fontPx = 12;
  const lineH = 14;
  // Wide: labels in a column left of the bars. Narrow (phone): each label on its own lines above its bar,
  // across the whole width, so a long factor name is not squeezed into a few characters per line.
  const stacked = W < 420;
  const labelW = stacked ? 0 : Math.round(Math.min(280, Math.max(130, W * 0.44)));
  const valueW = stacked ? 50 : 70;
  const maxEm = ((stacked ? W : labelW) - 14) / fontPx;
  const barH = 20;
  let acc = 0;
  let yy = 6;
  const spans = opts.items.map((it) => {
    const start = acc;
    acc += it.value;
    const lines = wrapLabel(it.short ?? it.label, maxEm, 3);
    const rowH = stacked ? lines.length * lineH + barH + 12 : Math.max(30, lines.length * lineH + 12);
    // Vertical centre of the bar; in the stacked layout the label's lines come first.
    const mid = stacked ? yy + lines.length * lineH + 4 + barH / 2 : yy + rowH / 2;
    const row = { ...it, start, end: acc, lines, y: yy, rowH, mid };
    yy += rowH;
    return row;
  });
  const totalRowH = 30;
  const H = yy + totalRowH + 28;
  const ends = [0, ...spans.map((x) => x.end), ...spans.map((x) => x.start)];
  const ticks = niceTicks(Math.min(0, ...ends), Math.max(0, ...ends), stacked ? 3 : 4);
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const x0 = stacked ? 16 : labelW;
  const x1 = W - valueW;
  const x = (v: number) => x0 + ((v - lo) / (hi - lo || 1)) * (x1 - x0);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg waterfall", role: "img", "aria-label": opts.title ?? "" });
  for (const tk of ticks) {
    svg.appendChild(s("line", { x1: x(tk), x2: x(tk), y1: 4, y2: H - 26, class: tk === 0 ? "axis" : "grid" }));
    svg.appendChild(s("text", { x: x(tk), y: H - 10, "text-anchor": "middle", class: "tick" }, fmt(tk)));
  }
  const labelX = stacked ? 4 : labelW - 8;
  const anchor = stacked ? "start" : "end";
  spans.forEach((it, i) => {
    const mid = it.mid;
    const a = Math.min(x(it.start), x(it.end));
    const w = Math.max(2, Math.abs(x(it.end) - x(it.start)));
    // Beside the bar the lines are centred on it; above it they end just over it.
    const first = stacked ? it.y + 12 : mid + 4 - ((it.lines.length - 1) * lineH) / 2;
    svg.appendChild(
      s("text", { x: labelX, y: first, "text-anchor": anchor, class: "wf-label" },
        it.lines.map((ln, k) => s("tspan", { x: labelX, dy: k === 0 ? 0 : lineH }, ln)), s("title", null, it.label)),
    );
    svg.appendChild(
      s("rect", { x: a, y: mid - barH / 2, width: w, height: barH, rx: 2, fill: it.value >= 0 ? "#dc2626" : "#16a34a", class: "wf-bar", dataset: { contribution: String(it.value), label: it.label } },
        s("title", null, `${it.label}: ${it.value >= 0 ? "+" : ""}${fmt(it.value)}${it.detail ? ` (${it.detail})` : ""}`)),
    );
    if (i > 0) {
      const prev = spans[i - 1];
      svg.appendChild(s("line", { x1: x(it.start), x2: x(it.start), y1: prev.mid + barH / 2, y2: mid - barH / 2, class: "wf-link" }));
    }
    svg.appendChild(s("text", { x: x1 + 6, y: mid + 4, class: "value" }, `${it.value >= 0 ? "+" : ""}${fmt(it.value)}`));
  });
  const tmid = yy + totalRowH / 2;
  svg.appendChild(s("text", stacked ? { x: labelX, y: tmid - barH / 2 - 4, class: "wf-label wf-total" } : { x: labelX, y: tmid + 4, "text-anchor": "end", class: "wf-label wf-total" }, opts.totalLabel));
  svg.appendChild(s("rect", { x: Math.min(x(0), x(acc)), y: tmid - barH / 2, width: Math.max(2, Math.abs(x(acc) - x(0))), height: barH, rx: 2, fill: "#475569", dataset: { total: String(acc) } }));
  svg.appendChild(s("text", { x: x1 + 6, y: tmid + 4, class: "value wf-total" }, `${acc >= 0 ? "+" : ""}${fmt(acc)}`));
  return frame(svg, opts.title, null);
}

const CJK = /[\u2E80-\uFFEF]/;

/** Approximate width of a character in ems: CJK (and full-width punctuation) one em, others about 0.56. */
function charEm(c: string): number {
  // General punctuation (em dash, ellipsis) is drawn full width by CJK fonts; digits and capitals are wider than average Latin.
  return CJK.test(c) || /[\u2000-\u206F]/.test(c) ? 1 : c === " " ? 0.3 : /[0-9A-Z]/.test(c) ? 0.64 : 0.56;
}

/**
 * Shortens a label to about `maxEm` font sizes of width: CJK characters count one em, others about 0.55.
 */
export function fitLabel(label: string, maxEm: number): string {
  let em = 0;
  for (let i = 0; i < label.length; i++) {
    em += CJK.test(label[i]) ? 1 : 0.55;
    if (em > maxEm) return `${label.slice(0, Math.max(1, i - 1))}…`;
  }
  return label;
}

/**
 * Breaks a label into at most `maxLines` lines of about `maxEm` ems each (widths as in `charEm`). Latin text
 * breaks between words (a word longer than a line is split), CJK text between characters, never before
 * closing punctuation; whatever remains after the last line is cut with "…".
 */
export function wrapLabel(label: string, maxEm: number, maxLines: number): string[] {
  const tokens = label.trim().match(/[\u2E80-\uFFEF]|[^\s\u2E80-\uFFEF]+|\s+/g) ?? [];
  const width = (t: string) => Array.from(t).reduce((a, c) => a + charEm(c), 0);
  const lines: string[] = [];
  let cur = "";
  let curEm = 0;
  const push = () => {
    lines.push(cur.trimEnd());
    cur = "";
    curEm = 0;
  };
  for (let i = 0; i < tokens.length; i++) {
    let tok = tokens[i];
    if (/^\s+$/.test(tok)) {
      if (cur) {
        cur += " ";
        curEm += charEm(" ");
      }
      continue;
    }
    // Closing punctuation stays with the character before it.
    if (i + 1 < tokens.length && /^[）》」』】、，。：；！？)]$/.test(tokens[i + 1])) {
      tok += tokens[i + 1];
      i++;
    }
    let w = width(tok);
    if (curEm + w > maxEm && cur.trim()) push();
    while (w > maxEm) {
      // A word wider than a whole line: split it by characters.
      let part = "";
      let pw = 0;
      for (const c of Array.from(tok)) {
        if (pw + charEm(c) > maxEm) break;
        part += c;
        pw += charEm(c);
      }
      if (!part) part = Array.from(tok)[0];
      cur = part;
      curEm = pw;
      push();
      tok = tok.slice(part.length);
      w = width(tok);
    }
    cur += tok;
    curEm += w;
  }
  if (cur.trim()) push();
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1];
  while (last.length > 1 && width(last) + 1 > maxEm) last = last.slice(0, -1);
  kept[maxLines - 1] = `${last.trimEnd()}…`;
  return kept;
}

/** X/Y curves on [0,1]² (ROC, calibration), optionally with the diagonal as reference. */
export function xyChart(opts: {
  title?: string;
  series: { name: string; points: [number, number][]; color?: string; markers?: boolean }[];
  xLabel: string;
  yLabel: string;
  diagonal?: boolean;
}): HTMLElement {
  const S = 300;
  const m = { top: 12, right: 12, bottom: 40, left: 48 };
  const iw = S - m.left - m.right;
  const ih = S - m.top - m.bottom;
  const x = (v: number) => m.left + v * iw;
  const y = (v: number) => m.top + ih - v * ih;
  const svg = s("svg", { viewBox: `0 0 ${S} ${S}`, class: "chart-svg square", role: "img", "aria-label": opts.title ?? "" });
  for (const tk of [0, 0.25, 0.5, 0.75, 1]) {
    svg.appendChild(s("line", { x1: x(tk), x2: x(tk), y1: m.top, y2: m.top + ih, class: "grid" }));
    svg.appendChild(s("line", { x1: m.left, x2: m.left + iw, y1: y(tk), y2: y(tk), class: "grid" }));
    svg.appendChild(s("text", { x: x(tk), y: m.top + ih + 14, "text-anchor": "middle", class: "tick" }, String(tk)));
    svg.appendChild(s("text", { x: m.left - 5, y: y(tk) + 4, "text-anchor": "end", class: "tick" }, String(tk)));
  }
  svg.appendChild(s("text", { x: m.left + iw / 2, y: S - 6, "text-anchor": "middle", class: "axis-label" }, opts.xLabel));
  svg.appendChild(s("text", { x: 12, y: m.top + ih / 2, "text-anchor": "middle", class: "axis-label", transform: `rotate(-90 12 ${m.top + ih / 2})` }, opts.yLabel));
  if (opts.diagonal) svg.appendChild(s("line", { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: "diag" }));
  const series = opts.series.map((sr, i) => ({ ...sr, color: sr.color ?? PALETTE[i % PALETTE.length] }));
  for (const sr of series) {
    const d = sr.points.map(([px, py], i) => `${i ? "L" : "M"}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join("");
    svg.appendChild(s("path", { d, fill: "none", stroke: sr.color, "stroke-width": 2, dataset: { series: sr.name } }));
    if (sr.markers) for (const [px, py] of sr.points) svg.appendChild(s("circle", { cx: x(px), cy: y(py), r: 3, fill: sr.color }));
  }
  return frame(svg, opts.title, series.length > 1 ? series : null);
}

/**
 * One horizontal 100% bar split into shares, with a legend of label, share and formatted value; for
 * compositions where one part dwarfs the others (e.g. current vs overdue receivables).
 */
export function shareBar(opts: { title?: string; items: { label: string; value: number; color: string }[]; format: (v: number) => string; pct: (r: number) => string }): HTMLElement {
  const total = opts.items.reduce((a, x) => a + Math.max(0, x.value), 0) || 1;
  const H = 34;
  const W = chartWidth();
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg", role: "img", "aria-label": opts.title ?? "" });
  let x = 0;
  for (const it of opts.items) {
    const w = (Math.max(0, it.value) / total) * W;
    svg.appendChild(s("rect", { x, y: 4, width: Math.max(0, w), height: H - 8, fill: it.color, dataset: { category: it.label, value: String(it.value) } }, s("title", null, `${it.label}: ${opts.format(it.value)} (${opts.pct(it.value / total)})`)));
    x += w;
  }
  return h(
    "figure",
    { class: "chart" },
    opts.title ? h("figcaption", null, opts.title) : null,
    svg,
    h("div", { class: "legend" }, opts.items.map((it) => h("span", { class: "legend-item" }, h("i", { style: `background:${it.color}` }), `${it.label} ${opts.pct(it.value / total)} · ${opts.format(it.value)}`))),
  );
}
