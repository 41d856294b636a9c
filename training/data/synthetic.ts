import { mulberry32 } from "../util/random";

/**
 * A deterministic synthetic credit table in the style of the German credit data (Hofmann, UCI): mixed
 * categorical and numeric applicant attributes, a `class` target given as text (good/bad), semicolon
 * separated with decimal commas, and missing values written in several ways. The default risk follows a
 * known logistic model so tests can check that models find the signal. Used for fixtures and tests.
 */

/** Options of {@link germanLikeCsv}. */
export interface GermanLikeOptions {
  rows: number;
  seed: number;
  /** Share of cells blanked in columns that have missing values (default 0.08). */
  missingRate?: number;
}

const pick = <T>(r: () => number, xs: readonly T[], w?: readonly number[]): T => {
  if (!w) return xs[Math.floor(r() * xs.length)];
  const tot = w.reduce((a, b) => a + b, 0);
  let u = r() * tot;
  for (let i = 0; i < xs.length; i++) {
    u -= w[i];
    if (u <= 0) return xs[i];
  }
  return xs[xs.length - 1];
};

/** Returns the CSV text (header + `rows` lines, `;`-separated, decimal commas). */
export function germanLikeCsv(opts: GermanLikeOptions): string {
  const r = mulberry32(opts.seed);
  const miss = opts.missingRate ?? 0.08;
  const gauss = () => {
    const u = Math.max(r(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
  const header = [
    "applicant_id", "checking_status", "duration_months", "credit_history", "purpose", "credit_amount",
    "savings", "employment_years", "installment_rate", "housing", "age", "existing_credits", "telephone", "class",
  ];
  const lines = [header.join(";")];
  const missTokens = ["", "NA", "?"];
  for (let i = 0; i < opts.rows; i++) {
    const checking = pick(r, ["<0", "0-200", ">=200", "none"], [0.27, 0.27, 0.06, 0.4]);
    const duration = Math.max(4, Math.round(6 + 18 * r() + 12 * r() * r()));
    const history = pick(r, ["critical", "delayed", "existing_paid", "all_paid", "no_credits"], [0.29, 0.09, 0.53, 0.05, 0.04]);
    const purpose = pick(r, ["car_new", "car_used", "furniture", "radio_tv", "education", "business", "repairs", "other"], [0.23, 0.1, 0.18, 0.28, 0.05, 0.1, 0.03, 0.03]);
    const amount = Math.round(Math.exp(7.8 + 0.75 * gauss()) * 100) / 100;
    const savings = pick(r, ["<100", "100-500", "500-1000", ">=1000", "unknown"], [0.6, 0.1, 0.06, 0.05, 0.19]);
    const employment = Math.max(0, Math.round((r() * 12 + gauss() * 2) * 10) / 10);
    const rate = 1 + Math.floor(r() * 4);
    const housing = pick(r, ["own", "rent", "free"], [0.71, 0.18, 0.11]);
    const age = Math.max(19, Math.min(75, Math.round(35 + 11 * gauss())));
    const credits = 1 + Math.floor(r() * r() * 3);
    const telephone = pick(r, ["yes", "none"], [0.4, 0.6]);
    let z = -1.1;
    z += { "<0": 1.1, "0-200": 0.6, ">=200": -0.2, none: -0.9 }[checking]!;
    z += 0.035 * (duration - 20);
    z += { critical: -0.6, delayed: 0.3, existing_paid: 0, all_paid: 0.9, no_credits: 1.0 }[history]!;
    z += { car_new: 0.35, car_used: -0.6, furniture: 0, radio_tv: -0.2, education: 0.45, business: 0.15, repairs: 0.2, other: 0 }[purpose]!;
    z += 0.25 * Math.log(amount / 2500);
    z += { "<100": 0.3, "100-500": 0.1, "500-1000": -0.3, ">=1000": -0.6, unknown: -0.3 }[savings]!;
    z += -0.04 * Math.min(employment, 10) + 0.12 * (rate - 2.5) - 0.015 * (age - 35);
    z += { own: -0.2, rent: 0.25, free: 0.2 }[housing]!;
    const bad = r() < 1 / (1 + Math.exp(-z));
    const cells: (string | number)[] = [
      `A${String(100000 + i)}`, checking, duration, history, purpose, amount.toFixed(2).replace(".", ","), savings,
      employment.toFixed(1).replace(".", ","), rate, housing, age, credits, telephone, bad ? "bad" : "good",
    ];
    // Missing values in a few columns, written as blank, NA or '?'.
    for (const k of [1, 5, 6, 7, 10]) if (r() < miss) cells[k] = pick(r, missTokens);
    lines.push(cells.map((c) => (typeof c === "string" && c.includes(";") ? `"${c}"` : String(c))).join(";"));
  }
  return lines.join("\n") + "\n";
}
