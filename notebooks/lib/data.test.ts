// Deno tests of the notebook helpers (run by test/notebooks.test.ts through `deno test`).
import assert from "node:assert/strict";
import { daysBetween, ibmHistories, readIbm, rowsOf, sampleRows, weightedIndices } from "./data.ts";
import { svg, table } from "./display.ts";
import type { Dataset } from "../../training/index.ts";

const ds: Dataset = {
  n: 6,
  columns: [
    { name: "x", kind: "numeric", values: Float64Array.from([10, 11, 12, 13, 14, 15]) },
    { name: "c", kind: "categorical", values: ["a", "b", null, "d", "e", "f"] },
  ],
  y: Uint8Array.from([0, 1, 0, 1, 0, 1]),
};

Deno.test("readIbm: every row of the IBM sample, dates as ISO, amounts in cents", () => {
  const rows = readIbm();
  assert.equal(rows.length, 2466);
  assert.deepEqual(
    { ...rows[0] },
    { customerId: "0379-NEVHP", invoiceNumber: "611365", country: "391", invoiceDate: "2013-01-02", dueDate: "2013-02-01", settledDate: "2013-01-15", amountMinor: 5594, disputed: false, paperless: false, daysLate: 0, daysToSettle: 13 },
  );
  // The file's own arithmetic holds on the converted dates: DaysLate = max(0, settled - due), DaysToSettle = settled - issue.
  for (const r of rows) {
    assert.equal(Math.max(0, daysBetween(r.dueDate, r.settledDate!)), r.daysLate, r.invoiceNumber);
    assert.equal(daysBetween(r.invoiceDate, r.settledDate!), r.daysToSettle, r.invoiceNumber);
  }
});

Deno.test("ibmHistories: one history per customer, settled invoices paid in full on the settled date", () => {
  const rows = readIbm();
  const hs = ibmHistories(rows);
  assert.equal(hs.length, 100);
  assert.equal(hs.reduce((s, h) => s + h.invoices.length, 0), 2466);
  for (const h of hs) {
    assert.equal(h.payments.length, h.invoices.filter((i) => i.settledDate).length);
    for (const p of h.payments) {
      const inv = h.invoices.find((i) => i.id === p.invoiceId)!;
      assert.equal(p.date, inv.settledDate);
      assert.equal(p.amountMinor, inv.amountMinor);
      assert.equal(inv.paidMinor, inv.amountMinor);
    }
    for (let k = 1; k < h.invoices.length; k++) assert.ok(h.invoices[k - 1].issueDate <= h.invoices[k].issueDate);
  }
});

Deno.test("rowsOf / sampleRows: seeded, without replacement, columns and target aligned", () => {
  const r = rowsOf(ds, [5, 0, 5]);
  assert.deepEqual(Array.from(r.columns[0].values as Float64Array), [15, 10, 15]);
  assert.deepEqual(r.columns[1].values, ["f", "a", "f"]);
  assert.deepEqual(Array.from(r.y!), [1, 0, 1]);
  const a = sampleRows(ds, 4, 7);
  const b = sampleRows(ds, 4, 7);
  assert.deepEqual(Array.from(a.columns[0].values as Float64Array), Array.from(b.columns[0].values as Float64Array));
  const xs = Array.from(a.columns[0].values as Float64Array);
  assert.equal(new Set(xs).size, 4);
  assert.deepEqual(xs, [...xs].sort((p, q) => p - q));
  xs.forEach((x, i) => assert.equal(a.y![i], (x - 10) % 2));
  assert.equal(sampleRows(ds, 100).n, 6);
});

Deno.test("weightedIndices: draws in proportion to the weights; rejects zero total weight", () => {
  const idx = weightedIndices(3, (i) => [1, 0, 3][i], 40_000, 1);
  const c = [0, 0, 0];
  for (const i of idx) c[i]++;
  assert.equal(c[1], 0);
  assert.ok(Math.abs(c[2] / idx.length - 0.75) < 0.01, `share of row 2: ${c[2] / idx.length}`);
  assert.deepEqual(weightedIndices(3, () => 1, 5, 9), weightedIndices(3, () => 1, 5, 9));
  assert.throws(() => weightedIndices(2, () => 0, 1), /positive finite total weight/);
});

Deno.test("svg / table: MIME bundles for the kernel", () => {
  const bundle = (d: object) => (d as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
  const s = bundle(svg('<svg xmlns="http://www.w3.org/2000/svg" aria-label="T"><text class="ct">T</text></svg>'));
  assert.match(s["image/svg+xml"], /^<svg [^>]*><style>\.ct\{/);
  assert.equal(s["text/html"], s["image/svg+xml"]);
  assert.equal(s["text/plain"], "[chart: T]");
  assert.throws(() => svg("<div>"), /expected SVG markup/);
  const t = bundle(table([{ a: 1, b: 0.123456, c: null }, { a: "<x>", b: 2, c: "y" }]));
  assert.equal(t["text/html"], "<table><tr><th>a</th><th>b</th><th>c</th></tr><tr><td>1</td><td>0.1235</td><td>–</td></tr><tr><td>&lt;x&gt;</td><td>2</td><td>y</td></tr></table>");
});
