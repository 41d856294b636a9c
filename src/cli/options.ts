import { ValidationError } from "../shared";

/**
 * Commander option parser for a whole number of at least `min` (default 0). A bad value is a
 * ValidationError naming the option, so the CLI's error handler prints it without a stack trace (exit 2).
 */
export function wholeNumber(option: string, min = 0): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isInteger(n) || n < min) {
      throw new ValidationError([{ path: option, expected: min > 0 ? `a whole number ≥ ${min}` : "a whole number", received: `"${v}"` }]);
    }
    return n;
  };
}
