import type { Command } from "commander";
import { wholeNumber } from "../options";

const HELP = `
Kinds and columns (header names are matched case-insensitively; snake_case and camelCase both work):
  customers  externalId*, name*, country, region, industry, registrationDate, currency, paymentTermsDays, attributes (JSON)
  invoices   externalId*, customerId*, issueDate*, dueDate*, amount*, currency, paidAmount, settledDate,
             disputed, status (open|paid|written_off|cancelled), writtenOffDate
  payments   externalId*, customerId*, invoiceId, date*, amount*, currency, method
  ibm        IBM's accounts-receivable sample (e.g. ../shared/data/ibm-accounts-receivable.csv):
             customers, invoices and one settlement payment per settled invoice
  (* required; customerId / invoiceId are external ids; amounts in major units, e.g. 1234.50; dates YYYY-MM-DD)

Semantics:
  Upsert by external id: importing the same file twice changes nothing (0 created, 0 updated).
  Pass 1 validates the whole file (streaming); if any row is bad, nothing is written and every error is
  reported (row, line, field, expected, received), unless --skip-bad-rows. Pass 2 writes in transactions
  of --chunk-size rows; if it is interrupted, re-running the same import completes it.
  Encodings: UTF-8 (with or without BOM), UTF-16 with BOM and GB18030/GBK are detected; others need --encoding.
  Text cells starting with = + - @ tab or CR are refused (spreadsheet formula injection); numbers like -12.5 are fine.

Exit status: 0 when every row was accepted, 2 when rows were rejected or the input was refused.
Details: docs/INGESTION.md
`;

interface ImportCliOptions {
  database?: string;
  quiet?: boolean;
  dryRun?: boolean;
  skipBadRows?: boolean;
  errors?: string;
  encoding?: string;
  chunkSize: number;
  sqliteCacheMib?: number;
  showErrors: number;
  currency?: string;
  json?: boolean;
}

const int = wholeNumber;

export function register(program: Command): void {
  program
    .command("import")
    .description("import customers, invoices or payments from a CSV file (upsert by external id), or IBM's accounts-receivable sample")
    .argument("<kind>", "customers | invoices | payments | ibm")
    .argument("<file>", "CSV file")
    .option("--database <url>", "database URL (default: DATABASE_URL, else file:./data/credit.db)")
    .option("--dry-run", "validate only, write nothing")
    .option("--skip-bad-rows", "write the good rows and skip the bad ones (default: refuse the file if any row is bad)")
    .option("--errors <file.csv>", "write every row error to this CSV file")
    .option("--encoding <name>", "file encoding (default: detected)")
    .option("--chunk-size <n>", "rows per write transaction", int("--chunk-size"), 5000)
    .option("--sqlite-cache-mib <n>", "SQLite page cache for this import (MiB); with a large --chunk-size, faster and that much more memory", int("--sqlite-cache-mib"))
    .option("--show-errors <n>", "row errors printed on screen", int("--show-errors"), 20)
    .option("--currency <code>", "ibm only: currency of the amounts", "USD")
    .option("--json", "print the result as JSON")
    .option("--quiet", "no progress bar")
    .addHelpText("after", HELP)
    .action(async (kind: string, file: string, o: ImportCliOptions) => {
      const { ValidationError, describeValue } = await import("../../shared");
      const kinds = ["customers", "invoices", "payments", "ibm"];
      if (!kinds.includes(kind)) throw new ValidationError([{ path: "kind", expected: kinds.join(" | "), received: describeValue(kind) }]);
      const { existsSync, createWriteStream } = await import("node:fs");
      if (!existsSync(file)) throw new ValidationError([{ path: "file", expected: "an existing CSV file", received: describeValue(file) }]);
      const { loadConfig } = await import("../../config");
      const { openDatabase } = await import("../../db");
      const ingest = await import("../../ingest");
      const url = o.database ?? loadConfig().DATABASE_URL;
      const db = await openDatabase(url);
      const bar = o.quiet || o.json ? null : await progressBar();
      let errOut: import("csv-stringify").Stringifier | null = null;
      let errFinished: Promise<void> = Promise.resolve();
      if (o.errors) {
        errOut = ingest.createSafeCsvStringifier(["row", "line", "field", "expected", "received"]);
        const ws = createWriteStream(o.errors);
        errFinished = new Promise((res, rej) => ws.on("finish", () => res()).on("error", rej));
        errOut.pipe(ws);
      }
      try {
        if (kind === "ibm") {
          const r = await ingest.importIbm(db, file, { dryRun: o.dryRun, currency: o.currency });
          for (const e of r.errors) errOut?.write(e);
          printIbm(r, o);
          if (r.rejected > 0) process.exitCode = 2;
        } else {
          const r = await ingest.importCsv(db, kind as "customers", file, {
            dryRun: o.dryRun,
            skipBadRows: o.skipBadRows,
            encoding: o.encoding,
            chunkSize: o.chunkSize || 5000,
            sqliteCacheMiB: o.sqliteCacheMib,
            maxErrorsKept: Math.max(o.showErrors, 1),
            onError: errOut ? (e) => errOut!.write(e) : undefined,
            onProgress: bar ? (p) => bar.update(p) : undefined,
          });
          bar?.stop();
          printCsv(r, o);
          if (r.rejected > 0) process.exitCode = 2;
        }
      } finally {
        bar?.stop();
        errOut?.end();
        await errFinished;
        await ingest.releaseIngestStore(db);
        await db.close();
      }
    });
}

async function progressBar() {
  const { SingleBar, Presets } = await import("cli-progress");
  let phase = "";
  let bar: InstanceType<typeof SingleBar> | null = null;
  let t0 = 0;
  return {
    update(p: { phase: string; rows: number; bytes: number; totalBytes: number }) {
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        t0 = performance.now();
        bar = new SingleBar(
          { format: `${p.phase.padEnd(8)} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
          Presets.shades_classic,
        );
        bar.start(Math.max(p.totalBytes, 1), 0, { rows: 0, rate: 0 });
      }
      const s = (performance.now() - t0) / 1000;
      bar!.update(p.bytes, { rows: p.rows.toLocaleString("en-US"), rate: s > 0 ? Math.round(p.rows / s).toLocaleString("en-US") : 0 });
    },
    stop() {
      bar?.stop();
      bar = null;
      phase = "";
    },
  };
}

type CsvResult = Awaited<ReturnType<typeof import("../../ingest")["importCsv"]>>;
type IbmResult = Awaited<ReturnType<typeof import("../../ingest")["importIbm"]>>;
type RowError = CsvResult["errors"][number];

const n = (x: number) => x.toLocaleString("en-US");

function status(committed: boolean, dryRun: boolean, rejected: number, skip?: boolean): string {
  if (dryRun) return "dry run: nothing written";
  if (committed) return rejected > 0 && skip ? `committed; ${n(rejected)} bad row(s) skipped` : "committed";
  return "refused: nothing written (fix the rows below, or use --skip-bad-rows)";
}

function printErrors(errors: RowError[], total: number, o: ImportCliOptions): void {
  if (total === 0) return;
  const shown = errors.slice(0, o.showErrors);
  const out = process.stdout;
  out.write(`errors (${shown.length < total ? `first ${shown.length} of ${n(total)}` : n(total)}${o.errors ? `; all in ${o.errors}` : shown.length < total ? "; all with --errors FILE.csv" : ""}):\n`);
  for (const e of shown) out.write(`  row ${e.row}${e.line !== undefined ? ` (line ${e.line})` : ""} ${e.field}: expected ${e.expected}, received ${e.received}\n`);
}

function printCsv(r: CsvResult, o: ImportCliOptions): void {
  if (o.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + "\n");
    return;
  }
  process.stdout.write(
    `import ${r.kind} from ${r.file} (${r.encoding}, ${r.encodingDetection})\n` +
      `  rows       ${n(r.rows)}\n  created    ${n(r.created)}\n  updated    ${n(r.updated)}\n  unchanged  ${n(r.unchanged)}\n  rejected   ${n(r.rejected)}\n` +
      `  time       ${r.seconds.toFixed(2)} s (validate ${r.validateSeconds.toFixed(2)} s, write ${r.writeSeconds.toFixed(2)} s), ${n(Math.round(r.rowsPerSecond))} rows/s\n` +
      (r.ignoredColumns.length ? `  ignored    columns ${r.ignoredColumns.map((c) => `'${c}'`).join(", ")}\n` : "") +
      `  status     ${status(r.committed, r.dryRun, r.rejected, o.skipBadRows)}\n`,
  );
  printErrors(r.errors, r.errorCount, o);
}

function printIbm(r: IbmResult, o: ImportCliOptions): void {
  if (o.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + "\n");
    return;
  }
  const c = (x: { created: number; updated: number; unchanged: number }) => `${n(x.created)} created, ${n(x.updated)} updated, ${n(x.unchanged)} unchanged`;
  process.stdout.write(
    `import ibm accounts receivable from ${r.file}\n  rows       ${n(r.rows)}\n  customers  ${c(r.customers)}\n  invoices   ${c(r.invoices)}\n` +
      `  payments   ${c(r.payments)}\n  rejected   ${n(r.rejected)}\n  time       ${r.seconds.toFixed(2)} s\n  status     ${status(r.committed, r.dryRun, r.rejected)}\n`,
  );
  printErrors(r.errors, r.errorCount, o);
}
