import { stringify, type Stringifier } from "csv-stringify";
import { stringify as stringifySync } from "csv-stringify/sync";

/**
 * Spreadsheet formula injection (CWE-1236, OWASP "CSV injection"): a cell that starts with `=`, `+`, `-`,
 * `@`, a tab or a carriage return can be run as a formula when a CSV file is opened in Excel or LibreOffice.
 * On import such text is rejected (see `isFormulaLike`); on export it is neutralised with a leading `'`.
 */

const TRIGGERS = new Set(["=", "+", "-", "@", "\t", "\r"]);
// A plain decimal number ("-12.5", "+3", "1e-4") is data, not a formula: spreadsheets read it as a number.
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** True when `text` would be interpreted as a formula by a spreadsheet (and is not a plain number). */
export function isFormulaLike(text: string): boolean {
  return text.length > 0 && TRIGGERS.has(text[0]) && !PLAIN_NUMBER.test(text);
}

/**
 * One cell made safe for a CSV export: strings that a spreadsheet would run as a formula get a leading
 * single quote (`=1+2` -> `'=1+2`); numbers, plain numeric strings, booleans and other text pass unchanged;
 * null/undefined become the empty string; dates become ISO strings; objects become JSON text (then checked).
 */
export function safeCsvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  const text = value instanceof Date ? value.toISOString() : typeof value === "string" ? value : JSON.stringify(value);
  return isFormulaLike(text) ? `'${text}` : text;
}

/**
 * Rows (objects or arrays) to CSV text with every cell passed through `safeCsvCell`. With objects the
 * header is `columns` (default: the keys of the first row). Lines end with CRLF (RFC 4180); quoting
 * follows csv-stringify.
 */
export function toSafeCsv(rows: ReadonlyArray<Record<string, unknown> | unknown[]>, columns?: string[]): string {
  if (rows.length === 0 && !columns) return "";
  const first = rows[0];
  const cols = columns ?? (first && !Array.isArray(first) ? Object.keys(first) : undefined);
  const data = rows.map((r) => (Array.isArray(r) ? r.map(safeCsvCell) : (cols ?? []).map((c) => safeCsvCell((r as Record<string, unknown>)[c]))));
  return stringifySync(data, { header: Boolean(cols), columns: cols, record_delimiter: "windows" });
}

/**
 * A streaming CSV writer (csv-stringify `Stringifier`) for large exports with the same protection: write
 * arrays of cell values (in `columns` order) or objects keyed by `columns`; pipe it to a file.
 */
export function createSafeCsvStringifier(columns: string[]): Stringifier {
  return stringify({
    header: true,
    columns,
    record_delimiter: "windows",
    cast: {
      string: (v) => safeCsvCell(v),
      number: (v) => String(v),
      bigint: (v) => String(v),
      boolean: (v) => String(v),
      date: (v) => v.toISOString(),
      object: (v) => safeCsvCell(JSON.stringify(v)),
    },
  });
}
