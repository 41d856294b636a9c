import { toEpochDay, type IsoDate } from "../shared";

/**
 * Fast calendar arithmetic for the collections hot loop (thousands of invoices x ladder steps): integer
 * civil-date conversion (H. Hinnant's days_from_civil / civil_from_days) without Date objects. Same
 * results as src/shared `toEpochDay` / `fromEpochDay` for valid dates (tested on every day 1900-2200).
 */

/** Day number (days since 1970-01-01) of a `YYYY-MM-DD` date; falls back to the validating parser otherwise. */
export function dayOf(d: IsoDate): number {
  if (d.length !== 10 || d.charCodeAt(4) !== 45 || d.charCodeAt(7) !== 45) return toEpochDay(d);
  let y = +d.slice(0, 4);
  const m = +d.slice(5, 7);
  const day = +d.slice(8, 10);
  if (!(m >= 1 && m <= 12 && day >= 1 && day <= 31)) return toEpochDay(d);
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `YYYY-MM-DD` of a day number. */
export function isoOf(n: number): IsoDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return (y < 1000 ? String(y).padStart(4, "0") : String(y)) + (m < 10 ? "-0" : "-") + m + (d < 10 ? "-0" : "-") + d;
}
