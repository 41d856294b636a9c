/**
 * Small, dependency-free SVG chart helpers for self-contained HTML reports: a line chart, a bar chart with
 * an optional line on a secondary axis, and a histogram of overlaid distributions. Every chart has a
 * title, labelled axes with "nice" ticks and a legend; output is a standalone `<svg>` string.
 */

/** Escapes text for XML/HTML content and attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** The report's colour palette (colour-blind friendly, Okabe–Ito). */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

/** Up to ~`count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) {
    const d = Math.abs(max) || 1;
    min -= d / 2;
    max += d / 2;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  const step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
  // Outer ticks enclose the data so nothing is drawn past the axes.
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Compact number label: 12 345 → "12.3k", 0.1234 → "0.123". */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (a === 0) return "0";
  if (a < 0.001) return v.toExponential(1);
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function frameOf(width: number, height: number, hasRightAxis: boolean, legendRows: number): Frame {
  return { width, height, left: 62, right: hasRightAxis ? 62 : 18, top: 40 + legendRows * 18, bottom: 52 };
}

function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

function header(f: Frame, title: string, aria: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" role="img" aria-label="${esc(aria)}" class="chart">` +
    `<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#fff"/>` +
    `<text x="${f.width / 2}" y="20" text-anchor="middle" class="ct">${esc(title)}</text>`
  );
}

function legend(f: Frame, items: { name: string; color: string; kind: "line" | "box" | "dash" }[]): string {
  // Items flow left to right under the title, wrapping to a new row when the width is used up.
  let x = f.left;
  let y = 36;
  let out = "";
  for (const it of items) {
    const w = 26 + it.name.length * 6.4;
    if (x + w > f.width - f.right && x > f.left) {
      x = f.left;
      y += 18;
    }
    const sym =
      it.kind === "box"
        ? `<rect x="${x}" y="${y - 8}" width="14" height="10" fill="${it.color}" fill-opacity="0.75"/>`
        : `<line x1="${x}" y1="${y - 3}" x2="${x + 16}" y2="${y - 3}" stroke="${it.color}" stroke-width="2.5"${it.kind === "dash" ? ' stroke-dasharray="4 3"' : ""}/>`;
    out += `${sym}<text x="${x + 20}" y="${y + 1}" class="lg">${esc(it.name)}</text>`;
    x += w + 12;
  }
  return out;
}

function legendRows(f: { width: number; right: number }, names: string[]): number {
  let x = 62;
  let rows = names.length ? 1 : 0;
  for (const n of names) {
    const w = 26 + n.length * 6.4;
    if (x + w > f.width - f.right && x > 62) {
      rows++;
      x = 62;
    }
    x += w + 12;
  }
  return rows;
}

function axes(
  f: Frame,
  xs: (v: number) => number,
  ys: (v: number) => number,
  xTicks: { v: number; label: string }[],
  yTicks: number[],
  xLabel: string,
  yLabel: string,
  yFmt: (v: number) => string,
): string {
  const x0 = f.left;
  const x1 = f.width - f.right;
  const y0 = f.height - f.bottom;
  const y1 = f.top;
  let out = "";
  for (const t of yTicks) {
    const y = ys(t);
    out += `<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" class="grid"/>`;
    out += `<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" class="tk">${esc(yFmt(t))}</text>`;
  }
  for (const t of xTicks) {
    const x = xs(t.v);
    out += `<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 4}" class="ax"/>`;
    out += `<text x="${x}" y="${y0 + 16}" text-anchor="middle" class="tk">${esc(t.label)}</text>`;
  }
  out += `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" class="ax"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" class="ax"/>`;
  out += `<text x="${(x0 + x1) / 2}" y="${f.height - 10}" text-anchor="middle" class="al">${esc(xLabel)}</text>`;
  out += `<text transform="translate(14 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" class="al">${esc(yLabel)}</text>`;
  return out;
}

/** One series of a {@link lineChart}. */
export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
  /** Draw a dot on every point (for short series such as calibration bins). */
  markers?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  width?: number;
  height?: number;
  /** Fixed axis ranges (default: data range with nice ticks). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Draw the y = x reference diagonal (ROC, calibration). */
  diagonal?: boolean;
  /** Vertical marker line, e.g. the KS point. */
  marker?: { x: number; label: string };
  /** Format y ticks as percentages. */
  yPercent?: boolean;
  xPercent?: boolean;
}

/** Line chart with nice axes, optional diagonal and marker. Series are downsampled to ≤ 400 points. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 380;
  const names = o.series.map((s) => s.name).concat(o.diagonal ? ["reference y = x"] : []);
  const f = frameOf(width, height, false, legendRows({ width, right: 18 }, names));
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const s of o.series) {
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.x[i]) || !Number.isFinite(s.y[i])) continue;
      xmin = Math.min(xmin, s.x[i]);
      xmax = Math.max(xmax, s.x[i]);
      ymin = Math.min(ymin, s.y[i]);
      ymax = Math.max(ymax, s.y[i]);
    }
  }
  if (!Number.isFinite(xmin)) [xmin, xmax, ymin, ymax] = [0, 1, 0, 1];
  const xt = niceTicks(o.xDomain?.[0] ?? xmin, o.xDomain?.[1] ?? xmax);
  const yt = niceTicks(o.yDomain?.[0] ?? Math.min(0, ymin), o.yDomain?.[1] ?? ymax);
  const xd: [number, number] = o.xDomain ?? [xt[0], xt[xt.length - 1]];
  const yd: [number, number] = o.yDomain ?? [yt[0], yt[yt.length - 1]];
  const xs = scale(xd[0], xd[1], f.left, width - f.right);
  const ys = scale(yd[0], yd[1], height - f.bottom, f.top);
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  let out = header(f, o.title, o.title);
  out += axes(
    f,
    xs,
    ys,
    xt.filter((t) => t >= xd[0] - 1e-12 && t <= xd[1] + 1e-12).map((v) => ({ v, label: o.xPercent ? pct(v) : fmtTick(v) })),
    yt.filter((t) => t >= yd[0] - 1e-12 && t <= yd[1] + 1e-12),
    o.xLabel,
    o.yLabel,
    o.yPercent ? pct : fmtTick,
  );
  const clip = `clip${Math.abs(hash(o.title + o.series.map((q) => q.name).join("|")))}`;
  out += `<clipPath id="${clip}"><rect x="${f.left}" y="${f.top}" width="${width - f.left - f.right}" height="${height - f.top - f.bottom}"/></clipPath>`;
  if (o.diagonal) {
    const lo = Math.max(xd[0], yd[0]);
    const hi = Math.min(xd[1], yd[1]);
    out += `<line x1="${xs(lo)}" y1="${ys(lo)}" x2="${xs(hi)}" y2="${ys(hi)}" stroke="#999" stroke-dasharray="5 4" stroke-width="1.2"/>`;
  }
  o.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const idx = downsample(s.x.length, 400);
    const pts = idx.filter((i) => Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])).map((i) => `${r1(xs(s.x[i]))},${r1(ys(s.y[i]))}`);
    out += `<polyline clip-path="url(#${clip})" fill="none" stroke="${color}" stroke-width="2.2" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${pts.join(" ")}"/>`;
    if (s.markers) for (const p of pts) out += `<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3.2" fill="${color}"/>`;
  });
  if (o.marker && Number.isFinite(o.marker.x)) {
    const x = xs(o.marker.x);
    out += `<line x1="${x}" y1="${f.top}" x2="${x}" y2="${height - f.bottom}" stroke="#444" stroke-dasharray="2 3"/>`;
    const anchor = x > width * 0.7 ? "end" : "start";
    out += `<text x="${anchor === "end" ? x - 4 : x + 4}" y="${f.top + 12}" text-anchor="${anchor}" class="tk">${esc(o.marker.label)}</text>`;
  }
  out += legend(
    f,
    o.series
      .map((s, k) => ({ name: s.name, color: s.color ?? PALETTE[k % PALETTE.length], kind: (s.dashed ? "dash" : "line") as "line" | "dash" }))
      .concat(o.diagonal ? [{ name: "reference y = x", color: "#999", kind: "dash" }] : []),
  );
  return out + "</svg>";
}

/** One bar series of a {@link barChart}. */
export interface BarSeries {
  name: string;
  values: ArrayLike<number>;
  color?: string;
}

export interface BarChartOptions {
  title: string;
  categories: string[];
  bars: BarSeries[];
  yLabel: string;
  xLabel?: string;
  /** A line over the bars on the right-hand axis (e.g. event rate per bin). */
  line?: { name: string; values: ArrayLike<number>; label: string; percent?: boolean; color?: string };
  width?: number;
  height?: number;
  yPercent?: boolean;
}

/** Grouped bar chart with an optional line on a secondary (right) axis. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 360;
  const names = o.bars.map((b) => b.name).concat(o.line ? [o.line.name] : []);
  const f = frameOf(width, height, Boolean(o.line), legendRows({ width, right: o.line ? 62 : 18 }, names));
  // Long category labels are rotated; give them room.
  const longest = Math.max(0, ...o.categories.map((c) => c.length));
  const rotate = longest * 6.2 > (width - f.left - f.right) / Math.max(1, o.categories.length) - 4;
  if (rotate) f.bottom = Math.min(140, 36 + longest * 4.6);
  let ymax = 0;
  let ymin = 0;
  for (const b of o.bars) for (let i = 0; i < b.values.length; i++) if (Number.isFinite(b.values[i])) {
    ymax = Math.max(ymax, b.values[i]);
    ymin = Math.min(ymin, b.values[i]);
  }
  const yt = niceTicks(ymin, ymax || 1);
  const ys = scale(yt[0], yt[yt.length - 1], height - f.bottom, f.top);
  const n = o.categories.length;
  const plotW = width - f.left - f.right;
  const slot = plotW / Math.max(1, n);
  const bw = (slot * 0.72) / Math.max(1, o.bars.length);
  const cx = (i: number) => f.left + slot * (i + 0.5);
  const pct = (v: number) => `${Number((v * 100).toPrecision(3))}%`;
  let out = header(f, o.title, o.title);
  out += axes(f, (v) => v, ys, [], yt, o.xLabel ?? "", o.yLabel, o.yPercent ? pct : fmtTick);
  const zeroY = ys(0);
  o.bars.forEach((b, k) => {
    const color = b.color ?? PALETTE[k % PALETTE.length];
    for (let i = 0; i < n; i++) {
      const v = b.values[i];
      if (!Number.isFinite(v)) continue;
      const x = cx(i) - (bw * o.bars.length) / 2 + k * bw;
      const y = ys(v);
      out += `<rect x="${r1(x)}" y="${r1(Math.min(y, zeroY))}" width="${r1(bw - 1)}" height="${r1(Math.abs(zeroY - y))}" fill="${color}" fill-opacity="0.8"><title>${esc(`${o.categories[i]}: ${o.yPercent ? pct(v) : fmtTick(v)}`)}</title></rect>`;
    }
  });
  for (let i = 0; i < n; i++) {
    const y0 = height - f.bottom;
    const label = o.categories[i];
    out += rotate
      ? `<text transform="translate(${r1(cx(i) + 3)} ${y0 + 10}) rotate(-35)" text-anchor="end" class="tk">${esc(label)}</text>`
      : `<text x="${r1(cx(i))}" y="${y0 + 16}" text-anchor="middle" class="tk">${esc(label)}</text>`;
  }
  if (o.line) {
    const color = o.line.color ?? PALETTE[1];
    const vals = Array.from(o.line.values);
    const fin = vals.filter(Number.isFinite);
    const lt = niceTicks(Math.min(0, ...fin), Math.max(...fin, 1e-9));
    const ls = scale(lt[0], lt[lt.length - 1], height - f.bottom, f.top);
    const xr = width - f.right;
    out += `<line x1="${xr}" y1="${height - f.bottom}" x2="${xr}" y2="${f.top}" class="ax"/>`;
    for (const t of lt) out += `<text x="${xr + 6}" y="${ls(t) + 4}" class="tk">${esc(o.line.percent ? pct(t) : fmtTick(t))}</text>`;
    out += `<text transform="translate(${width - 12} ${(height - f.bottom + f.top) / 2}) rotate(90)" text-anchor="middle" class="al">${esc(o.line.label)}</text>`;
    const pts = vals.map((v, i) => (Number.isFinite(v) ? `${r1(cx(i))},${r1(ls(v))}` : null));
    // Break the line at bins without a value (e.g. empty missing bin).
    let seg: string[] = [];
    const flush = () => {
      if (seg.length > 1) out += `<polyline fill="none" stroke="${color}" stroke-width="2.2" points="${seg.join(" ")}"/>`;
      seg = [];
    };
    for (const p of pts) {
      if (p) seg.push(p);
      else flush();
    }
    flush();
    pts.forEach((p, i) => {
      if (p) out += `<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3.5" fill="${color}"><title>${esc(`${o.categories[i]}: ${o.line!.percent ? pct(vals[i]) : fmtTick(vals[i])}`)}</title></circle>`;
    });
  }
  const items: { name: string; color: string; kind: "line" | "box" | "dash" }[] = o.bars.map((b, k) => ({
    name: b.name,
    color: b.color ?? PALETTE[k % PALETTE.length],
    kind: "box",
  }));
  if (o.line) items.push({ name: o.line.name, color: o.line.color ?? PALETTE[1], kind: "line" });
  out += legend(f, items);
  return out + "</svg>";
}

export interface HistogramOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Bin edges (length = bins + 1), ascending. */
  edges: ArrayLike<number>;
  /** One count (or share) per bin for each series; series are overlaid semi-transparently. */
  series: { name: string; values: ArrayLike<number>; color?: string }[];
  width?: number;
  height?: number;
  yPercent?: boolean;
}

/** Overlaid histograms on shared bin edges (e.g. score distribution of goods and bads). */
export function histogram(o: HistogramOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 360;
  const f = frameOf(width, height, false, legendRows({ width, right: 18 }, o.series.map((s) => s.name)));
  const e = Array.from(o.edges);
  let ymax = 0;
  for (const s of o.series) for (let i = 0; i < s.values.length; i++) if (Number.isFinite(s.values[i])) ymax = Math.max(ymax, s.values[i]);
  const yt = niceTicks(0, ymax || 1);
  const xt = niceTicks(e[0], e[e.length - 1], 6);
  const xs = scale(e[0], e[e.length - 1], f.left, width - f.right);
  const ys = scale(0, yt[yt.length - 1], height - f.bottom, f.top);
  const pct = (v: number) => `${Number((v * 100).toPrecision(3))}%`;
  let out = header(f, o.title, o.title);
  out += axes(
    f,
    xs,
    ys,
    xt.filter((t) => t >= e[0] && t <= e[e.length - 1]).map((v) => ({ v, label: fmtTick(v) })),
    yt,
    o.xLabel,
    o.yLabel,
    o.yPercent ? pct : fmtTick,
  );
  o.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    for (let i = 0; i < e.length - 1; i++) {
      const v = s.values[i];
      if (!(v > 0)) continue;
      const x0 = xs(e[i]);
      const x1 = xs(e[i + 1]);
      out += `<rect x="${r1(x0)}" y="${r1(ys(v))}" width="${r1(Math.max(0.5, x1 - x0 - 0.5))}" height="${r1(ys(0) - ys(v))}" fill="${color}" fill-opacity="0.45" stroke="${color}" stroke-width="0.6"/>`;
    }
  });
  out += legend(f, o.series.map((s, k) => ({ name: s.name, color: s.color ?? PALETTE[k % PALETTE.length], kind: "box" as const })));
  return out + "</svg>";
}

function r1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Evenly spaced indices (always including the last) so long curves stay small. */
function downsample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}
