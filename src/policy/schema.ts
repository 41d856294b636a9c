import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AppError, ValidationError, fromZodIssues, toMinor } from "../shared";

/**
 * The policy file: versioned configuration of tiers, limits, order-check rules, collection ladders and
 * dynamic reviews. Files are YAML or JSON; amounts in the file are major units of the base currency and
 * are converted to integer minor units once, here, at load.
 */

const text = z.object({ en: z.string().min(1), zh: z.string().min(1) });
const tierId = z.string().regex(/^[A-Z][A-Z0-9_]{0,15}$/, "a tier id: an upper-case letter then up to 15 of A-Z, 0-9, _");
const money = z.number().finite().nonnegative();
const share = z.number().min(0).max(1);
const outcome = z.enum(["approve", "review", "hold", "prepay", "reject"]);

const ruleBase = { enabled: z.boolean().default(true), outcome };

const TierSchema = z.object({
  id: tierId,
  name: text,
  /** Upper PD bound of the band (exclusive, except that the last tier includes 1). */
  maxPd: z.number().gt(0).max(1),
  /** Months until the tier and limit must be reviewed again. */
  reviewMonths: z.number().int().min(1).max(60),
});

const TierLimitSchema = z.object({
  /** Hard cap of the tier, major units. */
  cap: money,
  /** k in k x average monthly purchases over 12 months. */
  monthsOfPurchases: z.number().min(0).max(24),
  /** Expected-loss budget per customer, major units; the term is budget / (PD x LGD). */
  expectedLossBudget: money,
});

const RoundingStepSchema = z.object({
  /** Applies to limits below this amount (major units); omit on the last step. */
  below: money.optional(),
  /** Limits are rounded down to a multiple of this (major units). */
  step: z.number().positive(),
});

const LadderStepSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "a step id in snake_case"),
  kind: z.enum(["reminder", "call", "letter", "stop_shipment", "legal"]),
  /** Days relative to the due date (negative: before it). */
  offsetDays: z.number().int().min(-60).max(720),
  label: text,
});

const PolicyFileSchema = z
  .object({
    version: z.string().min(1).max(64),
    description: z.string().optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 currency code"),
    /** Best to worst. */
    tiers: z.array(TierSchema).min(2).max(10),
    limits: z.object({
      lgd: z.number().gt(0).max(1),
      /** PD used in the budget term is at least this, so that PD 0 does not give an infinite limit. */
      pdFloor: z.number().gt(0).max(1).default(0.0001),
      perTier: z.record(z.string(), TierLimitSchema),
      rounding: z.array(RoundingStepSchema).min(1),
      trial: z.object({
        /** A customer with fewer invoices than this over 12 months is on a trial limit. */
        minInvoices: z.number().int().min(0),
        /** ... or known for fewer days than this (unknown tenure counts as new). */
        minTenureDays: z.number().int().min(0),
        base: money,
        /** Added per invoice paid on time over the last 12 months, major units. */
        growthPerOnTimeInvoice: money,
        max: money,
      }),
    }),
    rules: z.object({
      blacklist: z.object(ruleBase),
      lowestTier: z.object(ruleBase),
      exposureOverLimit: z.object({ ...ruleBase, tolerance: z.number().min(0).max(1).default(0) }),
      oldestOverdueDays: z.object({ ...ruleBase, maxDays: z.number().int().min(0) }),
      overdueShare: z.object({ ...ruleBase, maxShare: share }),
      limitExpired: z.object(ruleBase),
      pdRise: z.object({ ...ruleBase, maxIncrease: share }),
    }),
    collections: z.object({
      ladders: z.record(z.string(), z.array(LadderStepSchema).min(1)),
      /** Prior of days paid late per tier (for customers with little history), and its weight in invoices. */
      priorDaysLate: z.record(z.string(), z.number().min(0).max(365)),
      priorWeight: z.number().min(0).max(100).default(3),
      /**
       * Worklist score = expected loss x (1 + a x min(overdue, cap)/30) x (1 + b x min(expected further delay, cap)/30);
       * the cap keeps invoices long in legal from swamping the list.
       */
      worklist: z
        .object({ overdueWeight: z.number().min(0).default(1), delayWeight: z.number().min(0).default(1), capDays: z.number().int().min(1).max(3650).default(180) })
        .default({ overdueWeight: 1, delayWeight: 1, capDays: 180 }),
    }),
    review: z.object({
      /** Largest increase per review as a share of the current limit. */
      maxIncreaseShare: z.number().min(0).max(10),
      /** Smallest allowed step (major units), so that small or zero limits can grow. */
      minIncreaseStep: money,
      /** Increases above this (major units) wait for approval. */
      approvalAbove: money,
      /** Increases only when the PD has not risen by more than this. */
      pdTolerance: share.default(0),
    }),
  })
  .superRefine((p, ctx) => {
    const ids = p.tiers.map((t) => t.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: "custom", path: ["tiers", i, "id"], message: "unique tier ids", input: id });
      if (i > 0 && p.tiers[i].maxPd <= p.tiers[i - 1].maxPd)
        ctx.addIssue({ code: "custom", path: ["tiers", i, "maxPd"], message: `a maxPd above the previous tier's ${p.tiers[i - 1].maxPd}`, input: p.tiers[i].maxPd });
    });
    const last = p.tiers.length - 1;
    if (p.tiers[last].maxPd !== 1)
      ctx.addIssue({ code: "custom", path: ["tiers", last, "maxPd"], message: "1 on the last tier (every PD must fall in a band)", input: p.tiers[last].maxPd });
    const perTierMaps: [string, Record<string, unknown>][] = [
      ["limits/perTier", p.limits.perTier],
      ["collections/ladders", p.collections.ladders],
      ["collections/priorDaysLate", p.collections.priorDaysLate],
    ];
    for (const [where, map] of perTierMaps) {
      const path = where.split("/");
      for (const id of ids) if (!(id in map)) ctx.addIssue({ code: "custom", path: [...path, id], message: `an entry for tier ${id}`, input: undefined });
      for (const k of Object.keys(map)) if (!ids.includes(k)) ctx.addIssue({ code: "custom", path: [...path, k], message: `one of the tiers ${ids.join(", ")}`, input: k });
    }
    for (const [tier, steps] of Object.entries(p.collections.ladders)) {
      steps.forEach((s, i) => {
        if (i > 0 && s.offsetDays <= steps[i - 1].offsetDays)
          ctx.addIssue({ code: "custom", path: ["collections", "ladders", tier, i, "offsetDays"], message: `more than the previous step's ${steps[i - 1].offsetDays}`, input: s.offsetDays });
        if (steps.findIndex((o) => o.id === s.id) !== i)
          ctx.addIssue({ code: "custom", path: ["collections", "ladders", tier, i, "id"], message: "unique step ids within a ladder", input: s.id });
      });
    }
    p.limits.rounding.forEach((r, i) => {
      const isLast = i === p.limits.rounding.length - 1;
      if (isLast && r.below !== undefined)
        ctx.addIssue({ code: "custom", path: ["limits", "rounding", i, "below"], message: "no 'below' on the last rounding step", input: r.below });
      if (!isLast && r.below === undefined)
        ctx.addIssue({ code: "custom", path: ["limits", "rounding", i, "below"], message: "a 'below' amount on every rounding step but the last", input: undefined });
      const prev = i > 0 ? p.limits.rounding[i - 1].below : undefined;
      if (r.below !== undefined && prev !== undefined && r.below <= prev)
        ctx.addIssue({ code: "custom", path: ["limits", "rounding", i, "below"], message: `more than the previous step's ${prev}`, input: r.below });
    });
    if (p.limits.trial.max < p.limits.trial.base)
      ctx.addIssue({ code: "custom", path: ["limits", "trial", "max"], message: `at least trial.base (${p.limits.trial.base})`, input: p.limits.trial.max });
  });

export type PolicyFile = z.infer<typeof PolicyFileSchema>;
export type Outcome = z.infer<typeof outcome>;
export type Text = { en: string; zh: string };

export interface PolicyTier {
  id: string;
  name: Text;
  maxPd: number;
  reviewMonths: number;
  /** Position from best (0) to worst. */
  rank: number;
}

export interface TierLimit {
  capMinor: number;
  monthsOfPurchases: number;
  expectedLossBudgetMinor: number;
}

export interface LadderStep {
  id: string;
  kind: "reminder" | "call" | "letter" | "stop_shipment" | "legal";
  offsetDays: number;
  label: Text;
}

/** A validated policy with amounts in minor units, ready for evaluation. Treat as immutable. */
export interface Policy {
  /** The file's version string plus the first 12 hex digits of its sha256, e.g. `2026.11-default+3f2a9c1b0d4e`. */
  version: string;
  /** The version string as written in the file. */
  declaredVersion: string;
  sha256: string;
  source: string;
  description?: string;
  currency: string;
  tiers: PolicyTier[];
  tierById: Record<string, PolicyTier>;
  limits: {
    lgd: number;
    pdFloor: number;
    perTier: Record<string, TierLimit>;
    rounding: { belowMinor: number; stepMinor: number }[];
    trial: { minInvoices: number; minTenureDays: number; baseMinor: number; growthPerOnTimeInvoiceMinor: number; maxMinor: number };
  };
  rules: PolicyFile["rules"];
  collections: {
    ladders: Record<string, LadderStep[]>;
    priorDaysLate: Record<string, number>;
    priorWeight: number;
    worklist: { overdueWeight: number; delayWeight: number; capDays: number };
  };
  review: { maxIncreaseShare: number; minIncreaseStepMinor: number; approvalAboveMinor: number; pdTolerance: number };
  /** The parsed file content (major units), for storing the policy version. */
  content: PolicyFile;
}

/**
 * Validates a parsed policy document and converts it for evaluation.
 * @param obj the parsed YAML/JSON document
 * @param source where it came from (a path or 'inline'), kept for messages
 * @param sha256 hex digest of the raw file; computed from the canonical JSON of `obj` when omitted
 * @throws ValidationError with one issue per bad field (path like `/rules/overdueShare/maxShare`)
 */
export function parsePolicy(obj: unknown, source = "inline", sha256?: string): Policy {
  const r = PolicyFileSchema.safeParse(obj);
  if (!r.success) throw fromZodIssues(r.error.issues, obj);
  const f = r.data;
  const digest = sha256 ?? createHash("sha256").update(JSON.stringify(obj)).digest("hex");
  const cur = f.currency;
  const m = (major: number) => toMinor(major, cur);
  const tiers = f.tiers.map((t, rank) => ({ ...t, rank }));
  return {
    version: `${f.version}+${digest.slice(0, 12)}`,
    declaredVersion: f.version,
    sha256: digest,
    source,
    description: f.description,
    currency: cur,
    tiers,
    tierById: Object.fromEntries(tiers.map((t) => [t.id, t])),
    limits: {
      lgd: f.limits.lgd,
      pdFloor: f.limits.pdFloor,
      perTier: Object.fromEntries(
        Object.entries(f.limits.perTier).map(([k, v]) => [k, { capMinor: m(v.cap), monthsOfPurchases: v.monthsOfPurchases, expectedLossBudgetMinor: m(v.expectedLossBudget) }]),
      ),
      rounding: f.limits.rounding.map((s) => ({ belowMinor: s.below === undefined ? Infinity : m(s.below), stepMinor: Math.max(1, m(s.step)) })),
      trial: {
        minInvoices: f.limits.trial.minInvoices,
        minTenureDays: f.limits.trial.minTenureDays,
        baseMinor: m(f.limits.trial.base),
        growthPerOnTimeInvoiceMinor: m(f.limits.trial.growthPerOnTimeInvoice),
        maxMinor: m(f.limits.trial.max),
      },
    },
    rules: f.rules,
    collections: {
      ladders: f.collections.ladders,
      priorDaysLate: f.collections.priorDaysLate,
      priorWeight: f.collections.priorWeight,
      worklist: f.collections.worklist,
    },
    review: {
      maxIncreaseShare: f.review.maxIncreaseShare,
      minIncreaseStepMinor: m(f.review.minIncreaseStep),
      approvalAboveMinor: m(f.review.approvalAbove),
      pdTolerance: f.review.pdTolerance,
    },
    content: f,
  };
}

/**
 * Reads and validates a policy file (`.yaml`, `.yml` or `.json`). The version is the file's `version`
 * plus its sha256, so two different files never share a version.
 * @throws AppError (400, policy-unreadable) when the file cannot be read or parsed; ValidationError naming each bad field
 */
export function loadPolicyFile(path: string): Policy {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (e) {
    throw new AppError(400, "policy-unreadable", "Policy file unreadable", `cannot read policy file ${path}: ${(e as Error).message}`);
  }
  let obj: unknown;
  try {
    obj = extname(path).toLowerCase() === ".json" ? JSON.parse(raw) : parseYaml(raw);
  } catch (e) {
    throw new ValidationError([{ path: "(file)", expected: "valid YAML or JSON", received: (e as Error).message.split("\n")[0] }], `policy file ${path} is not valid YAML/JSON`);
  }
  return parsePolicy(obj, path, createHash("sha256").update(raw).digest("hex"));
}
