import { describe, expect, it } from "vitest";
import { compileModel, onRiskySide, reasonsFor, type Contribution, type ModelSpec } from ".";

const c = (feature: string, value: number | string | null, contribution: number): Contribution => ({ feature, value, contribution });

describe("reasonsFor: adverse template only on the risky side of the training reference", () => {
  const reference = { tenure_days: 1200, late_1_30_share_365: 0.05, days_since_last_late: 400 };

  it("risky-side value (lower_is_riskier below the median) gets the adverse template", () => {
    const [r] = reasonsFor([c("tenure_days", 45, 0.8)], { reference });
    expect(r).toMatchObject({ code: "R_TENURE_DAYS", feature: "tenure_days", value: 45, contribution: 0.8 });
    expect(r.en).toBe("The trading relationship is only 45 days old");
    expect(r.zh).toBe("合作时间仅45天");
  });

  it("safe-side value with a positive contribution gets a truthful neutral sentence, same code", () => {
    const [r] = reasonsFor([c("tenure_days", 3855, 0.59)], { reference });
    expect(r.code).toBe("R_TENURE_DAYS");
    expect(r.en).not.toContain("only");
    expect(r.zh).not.toContain("仅");
    expect(r.en).toBe("Days since the customer relationship began (registration or first invoice): 3855 days — in combination with the other factors, this raised the model's risk estimate");
    expect(r.zh).toBe("客户合作时长（自注册或首张发票起的天数）：3855天——结合其他因素，这一项提高了模型的风险估计");
  });

  it("higher_is_riskier: above the median is adverse, at or below it is neutral", () => {
    const [hi] = reasonsFor([c("late_1_30_share_365", 0.3, 0.4)], { reference });
    expect(hi.en).toBe("30% of invoices in the last 12 months were paid 1-30 days late");
    const [eq] = reasonsFor([c("late_1_30_share_365", 0.05, 0.4)], { reference });
    expect(eq.en).toContain("Share of invoices due in the last 12 months paid 1-30 days late: 5%");
    expect(eq.en).toContain("raised the model's risk estimate");
  });

  it("missing values, direction 'none' and categorical catalog features are neutral", () => {
    const [miss] = reasonsFor([c("tenure_days", null, 0.2)], { reference });
    expect(miss.en).toBe("Days since the customer relationship began (registration or first invoice): not available — the missing value raised the model's risk estimate");
    expect(miss.zh).toContain("数据缺失");
    const [none] = reasonsFor([c("open_invoice_count", 12, 0.2)], { reference });
    expect(none.en).toBe("Number of invoices not yet fully paid: 12 — in combination with the other factors, this raised the model's risk estimate");
    const [ind] = reasonsFor([c("industry", "retail", 0.2)], { reference });
    expect(ind.zh).toBe("客户所属行业：retail——结合其他因素，这一项提高了模型的风险估计");
  });

  it("without a reference: higher_is_riskier compares with 0, lower_is_riskier is never called adverse", () => {
    expect(onRiskySide({ direction: "higher_is_riskier" }, 2, undefined)).toBe(true);
    expect(onRiskySide({ direction: "higher_is_riskier" }, 0, undefined)).toBe(false);
    expect(onRiskySide({ direction: "lower_is_riskier" }, 5, undefined)).toBe(false);
    expect(onRiskySide({ direction: "lower_is_riskier" }, 5, 10)).toBe(true);
    expect(onRiskySide({ direction: "none" }, 5, 10)).toBe(false);
    expect(onRiskySide({ direction: "higher_is_riskier" }, "x", 0)).toBe(false);
    const [r] = reasonsFor([c("dispute_count_365", 2, 0.3)]);
    expect(r.en).toBe("2 disputed invoices in the last 12 months");
    const [t] = reasonsFor([c("tenure_days", 30, 0.3)]);
    expect(t.en).not.toContain("only");
  });

  it("unknown features get the generic sentence; the top reason is the largest contribution; only positive ones", () => {
    const r = reasonsFor(
      [c("tenure_days", 3855, 0.59), c("PAY_0", 2, 1.3), c("late_1_30_share_365", 0.5, 0.9), c("days_since_last_late", 10, -0.4), c("region", null, 0.1)],
      { reference, top: 3 },
    );
    expect(r.map((x) => x.code)).toEqual(["R_PAY_0", "R_LATE_1_30_SHARE_365", "R_TENURE_DAYS"]);
    expect(r[0].en).toBe("PAY_0 (2) raises the estimated risk of default");
    expect(r[0].zh).toBe("PAY_0（2）提高了估计的违约风险");
    expect(r[1].en).toBe("50% of invoices in the last 12 months were paid 1-30 days late");
    expect(r[2].en).toContain("in combination with the other factors");
  });
});

describe("a compiled model carries the training medians as its reference", () => {
  // One tree that, through the split, gives a long tenure a positive attribution.
  const spec: ModelSpec = {
    formatVersion: 1,
    inputs: [
      { name: "tenure_days", kind: "numeric" },
      { name: "industry", kind: "categorical", levels: { retail: 0.3 }, unknown: 0 },
    ],
    components: {
      gbdt: {
        type: "gbdt",
        baseScore: -2,
        trees: [{ feature: [0, -1, -1], threshold: [2000, 0, 0], missingLeft: [1, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -0.2, 0.6], cover: [100, 70, 30] }],
      },
    },
    blend: { bias: 0, weights: { gbdt: 1 } },
    calibrator: { type: "platt", a: 1, b: 0 },
    scaling: { base: 600, baseOdds: 50, pdo: 20 },
    baseline: [1200, 0.1],
  };
  const m = compileModel(spec);

  it("exposes numeric medians only, and reasons built with it stay truthful", () => {
    expect(m.reference).toEqual({ tenure_days: 1200 });
    const e = m.explain({ tenure_days: 3855, industry: "retail" });
    expect(e.contributions[0].feature).toBe("tenure_days");
    expect(e.contributions[0].contribution).toBeGreaterThan(0);
    const [r] = reasonsFor(e.contributions, { reference: m.reference });
    expect(r.code).toBe("R_TENURE_DAYS");
    expect(r.en).toContain("3855 days — in combination with the other factors");
  });
});
