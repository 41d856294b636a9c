import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Parser, type CsvError } from "csv-parse";
import { describeValue, ValidationError, type FieldIssue } from "../shared";
import { decoderFor, detectEncoding, type EncodingInfo } from "./encoding";
import type { RowError } from "./schemas";

/**
 * Streaming CSV reading for ingestion: encoding detection and decoding (iconv-lite), csv-parse with
 * back-pressure, header mapping, and per-row structural checks (ragged rows, broken quoting, invalid bytes).
 * Memory is bounded by the chunk size: the file is never held whole.
 */

/** One data record with its values keyed by canonical field, or the structural errors that replace them. */
export interface CsvRecord {
  /** 1-based data row number (header excluded; records that failed to parse count too). */
  row: number;
  /** 1-based line where the record ends. */
  line: number;
  /** Canonical field -> raw text (only columns the header mapped). Empty when `errors` is non-empty. */
  values: Record<string, string>;
  /** Structural problems (ragged row, quoting, undecodable bytes); field validation happens later. */
  errors: RowError[];
}

export interface CsvSource {
  encoding: EncodingInfo;
  /** The header as read (trimmed). */
  header: string[];
  /** Columns of the header that map to no field (ignored). */
  ignoredColumns: string[];
  totalBytes: number;
  /** Bytes of the file read so far. */
  bytesRead(): number;
  /** Records in chunks of at most `chunkSize`. Iterate once. */
  chunks: AsyncIterable<CsvRecord[]>;
}

export interface OpenCsvOptions {
  /** Maps a header to a canonical field name (undefined: ignored column). */
  mapHeader: (header: string) => string | undefined;
  /** Fields that must have a column. */
  required: string[];
  /** iconv-lite encoding name; detected when absent. */
  encoding?: string;
  /** Records per chunk (default 5,000). */
  chunkSize?: number;
}

/**
 * csv-parse's `info: true` builds two objects per record; only the line number is needed, and the parser's
 * live counter holds it at the moment the record is pushed.
 */
class LineParser extends Parser {
  override push(record: unknown, encoding?: BufferEncoding): boolean {
    return super.push(record === null ? null : { record, lines: this.info.lines }, encoding);
  }
}

/** Largest accepted record, in characters (a runaway quote must not swallow memory). */
const MAX_RECORD_CHARS = 1_000_000;

/**
 * Opens a CSV file for streaming: detects the encoding, reads and maps the header.
 * @throws EncodingError (422) for an undetectable encoding; ValidationError (400) for an empty file, a
 * header with two columns for one field, or missing required columns.
 */
export async function openCsv(file: string, opts: OpenCsvOptions): Promise<CsvSource> {
  const totalBytes = (await stat(file)).size;
  const encoding = await detectEncoding(file, opts.encoding);
  const chunkSize = opts.chunkSize ?? 5000;
  let bytes = encoding.bomBytes;
  const input = createReadStream(file, { start: encoding.bomBytes, highWaterMark: 256 * 1024 });
  input.on("data", (b) => (bytes += b.length));
  // Errors csv-parse recovers from (bad quoting): kept by line until the surrounding records are emitted.
  const skipped: { line: number; message: string; code: string }[] = [];
  const parser = new LineParser({
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // A quote inside an unquoted field (5" pipe, =HYPERLINK("x")) is kept as a character, as spreadsheets do.
    relax_quotes: true,
    max_record_size: MAX_RECORD_CHARS,
    on_skip: (e: CsvError | undefined) => {
      if (!e) return;
      const line = Number((e as unknown as { lines?: number }).lines ?? 0);
      // One broken record can raise several errors (one per stray quote): report it once.
      if (skipped.length && skipped[skipped.length - 1].line === line) return;
      skipped.push({ line, message: e.message, code: e.code });
    },
  });
  const decoded = input.pipe(decoderFor(encoding));
  decoded.on("error", (e) => parser.destroy(e));
  input.on("error", (e) => parser.destroy(e));
  decoded.pipe(parser);

  type Parsed = { record: string[]; lines: number };
  const it = parser[Symbol.asyncIterator]() as AsyncIterator<Parsed>;
  const first = await it.next();
  if (first.done) {
    throw new ValidationError([{ path: "header", expected: "a header line naming the columns", received: skipped.length ? skipped[0].message : "an empty file" }]);
  }
  const header = first.value.record.map((h) => h.trim());
  const fields: (string | undefined)[] = header.map((h) => opts.mapHeader(h));
  const issues: FieldIssue[] = [];
  const ignoredColumns = header.filter((_, i) => fields[i] === undefined);
  const byField = new Map<string, string>();
  header.forEach((h, i) => {
    const f = fields[i];
    if (f === undefined) return;
    const prev = byField.get(f);
    if (prev !== undefined) issues.push({ path: `header: ${h}`, expected: `one column for field ${f}`, received: `columns '${prev}' and '${h}'` });
    byField.set(f, h);
  });
  const missing = opts.required.filter((f) => !byField.has(f));
  if (missing.length)
    issues.push({ path: "header", expected: `columns ${missing.join(", ")} (required)`, received: `columns ${header.map((h) => `'${h}'`).join(", ") || "none"}` });
  const badChars = header.findIndex((h) => h.includes("\ufffd"));
  if (badChars >= 0) issues.push({ path: "header", expected: `text in ${encoding.encoding}`, received: `invalid bytes in column ${badChars + 1}` });
  if (issues.length) {
    parser.destroy();
    input.destroy();
    throw new ValidationError(issues);
  }
  const width = header.length;
  const headerLine = first.value.lines;

  async function* chunks(): AsyncGenerator<CsvRecord[]> {
    let row = 0;
    let chunk: CsvRecord[] = [];
    const flushSkipped = (beforeLine: number) => {
      while (skipped.length && skipped[0].line < beforeLine) {
        const s = skipped.shift()!;
        row++;
        chunk.push({ row, line: s.line, values: {}, errors: [{ row, line: s.line, field: "(row)", expected: "a well-formed CSV record (RFC 4180 quoting)", received: s.message }] });
      }
    };
    // Errors seen while the header was parsed belong to lines before the first data record.
    skipped.splice(0, skipped.filter((s) => s.line <= headerLine).length);
    try {
    for (;;) {
      const n = await it.next();
      if (n.done) break;
      const { record, lines } = n.value;
      flushSkipped(lines);
      row++;
      const rec: CsvRecord = { row, line: lines, values: {}, errors: [] };
      if (record.length !== width) {
        rec.errors.push({
          row, line: lines, field: "(row)",
          expected: `${width} fields, as in the header`,
          received: `${record.length} field${record.length === 1 ? "" : "s"}`,
        });
      } else {
        for (let i = 0; i < width; i++) {
          const f = fields[i];
          if (f === undefined) continue;
          const v = record[i];
          if (v.includes("\ufffd"))
            rec.errors.push({ row, line: lines, field: f, expected: `text in ${encoding.encoding}`, received: `invalid byte sequence in ${describeValue(v)}` });
          rec.values[f] = v;
        }
      }
      chunk.push(rec);
      if (chunk.length >= chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
    flushSkipped(Number.MAX_SAFE_INTEGER);
    if (chunk.length) yield chunk;
    } finally {
      // Also when the consumer stops early: release the file.
      parser.destroy();
      input.destroy();
    }
  }

  return { encoding, header, ignoredColumns, totalBytes, bytesRead: () => bytes, chunks: chunks() };
}
