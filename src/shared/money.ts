/**
 * Money is held as integer minor units (cents, fen). Amounts cross the API as decimal numbers in major
 * units and are converted once at the edge with the currency's exponent.
 */

const EXPONENTS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 };

/** Number of minor-unit digits of an ISO 4217 currency (2 unless listed). */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

/**
 * Major units (e.g. 1234.5 CNY) to integer minor units (123450). Rounds half away from zero on the
 * currency's exponent. @throws RangeError when the amount is not finite or exceeds 2^53 minor units.
 */
export function toMinor(amount: number, currency = "CNY"): number {
  if (!Number.isFinite(amount)) throw new RangeError(`amount must be a finite number, got ${amount}`);
  const f = 10 ** currencyExponent(currency);
  // Via the decimal string, so that 1.005 * 100 does not become 100.49999.
  const scaled = Number(Math.abs(amount).toFixed(currencyExponent(currency) + 2)) * f;
  const minor = Math.sign(amount) * Math.round(Number(scaled.toFixed(2)));
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount ${amount} is too large`);
  return minor === 0 ? 0 : minor;
}

/** Integer minor units to major units as a number (for JSON answers). */
export function toMajor(minor: number | bigint, currency = "CNY"): number {
  const f = 10 ** currencyExponent(currency);
  return Number(minor) / f;
}
