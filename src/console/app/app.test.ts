import { describe, expect, it } from "vitest";
import { chartWidth, fitLabel, labelStep, niceTicks, wrapLabel } from "./charts";
import { DICTIONARIES, fmtDate, fmtMoney, fmtMonth, fmtPct, t } from "./i18n";
import { ApiError, errorMessage } from "./api";
import { candidateAucs, evaluation, headlineMetrics } from "./pages/models";
import { reasonHead } from "./pages/explain";

describe("niceTicks", () => {
  it("covers the range with 1-2-5 steps", () => {
    expect(niceTicks(0, 97)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 165_027_502)).toEqual([0, 50_000_000, 100_000_000, 150_000_000, 200_000_000]);
    expect(niceTicks(-3.81, 1.07, 4)).toEqual([-4, -3, -2, -1, 0, 1, 2]);
  });
  it("handles a flat series", () => {
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(5, 5)).toEqual([0, 2, 4, 6, 8]);
  });
});

describe("fitLabel", () => {
  it("counts CJK characters as one em and others as 0.55", () => {
    expect(fitLabel("近12个月有5张发票存在争议", 18)).toBe("近12个月有5张发票存在争议");
    expect(fitLabel("平均单张发票金额为146,924.57元，高于同业", 12)).toBe("平均单张发票金额为146,…");
    expect(fitLabel("The trading relationship is only 3419 days old", 18.3)).toBe("The trading relationship is only…");
    expect(fitLabel("Short", 18)).toBe("Short");
  });
});

describe("wrapLabel", () => {
  it("wraps CJK text between characters, keeping closing punctuation with its character", () => {
    // 20 CJK characters in lines of at most 11 ems.
    expect(wrapLabel("客户合作时长（自注册或首张发票起的天数）", 11, 2)).toEqual(["客户合作时长（自注册或", "首张发票起的天数）"]);
    expect(wrapLabel("近12个月有5张发票存在争议", 18, 2)).toEqual(["近12个月有5张发票存在争议"]);
  });
  it("wraps Latin text between words and cuts what is left after the last line", () => {
    const long = "Customer relationship length (days since registration or first invoice)";
    expect(wrapLabel(long, 18, 3)).toEqual(["Customer relationship length", "(days since registration or first", "invoice)"]);
    expect(wrapLabel(long, 12, 3)).toEqual(["Customer relationship", "length (days since", "registration or firs…"]);
    expect(wrapLabel("Short", 18, 2)).toEqual(["Short"]);
    expect(wrapLabel("Supercalifragilisticexpialidocious", 10, 3)).toEqual(["Supercalifragilis", "ticexpialidocious"]);
  });
});

describe("reasonHead", () => {
  it("keeps the factor and its value for a chart row", () => {
    expect(reasonHead("客户合作时长（自注册或首张发票起的天数）：3419天——结合其他因素，这一项提高了模型的风险估计")).toBe("客户合作时长（自注册或首张发票起的天数）：3419天");
    expect(reasonHead("Customer industry: manufacturing — in combination with the other factors, this raised the model's risk estimate")).toBe("Customer industry: manufacturing");
    expect(reasonHead("5 invoices disputed in the last 12 months")).toBe("5 invoices disputed in the last 12 months");
  });
});

describe("chartWidth and labelStep", () => {
  it("lays charts out at the screen's width on a phone and at 560 units otherwise", () => {
    expect(chartWidth(1280)).toBe(560);
    expect(chartWidth(641)).toBe(560);
    expect(chartWidth(390)).toBe(330);
    expect(chartWidth(300)).toBe(280);
  });
  it("skips category labels that would overlap", () => {
    expect(labelStep(12, 482)).toBe(2); // 7 labels of 64 units fit
    expect(labelStep(12, 252)).toBe(4); // 3 fit (e.g. "2025年12月" at 11 px is about 60 px wide)
    expect(labelStep(5, 252)).toBe(2);
    expect(labelStep(3, 252)).toBe(1);
  });
});

describe("i18n", () => {
  it("has the same keys, all non-empty, in both languages", () => {
    const zh = Object.keys(DICTIONARIES["zh-CN"]).sort();
    expect(Object.keys(DICTIONARIES.en).sort()).toEqual(zh);
    for (const lang of ["zh-CN", "en"] as const) for (const [k, v] of Object.entries(DICTIONARIES[lang])) expect(v.trim(), `${lang} ${k}`).not.toBe("");
  });
  it("keeps placeholders consistent between languages", () => {
    const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
    for (const k of Object.keys(DICTIONARIES["zh-CN"]) as (keyof (typeof DICTIONARIES)["zh-CN"])[]) expect(ph(DICTIONARIES.en[k]), k).toBe(ph(DICTIONARIES["zh-CN"][k]));
  });
  it("defaults to Chinese and formats with the zh-CN locale", () => {
    expect(t("nav.orders")).toBe("待审订单");
    expect(t("orders.count", { n: 3 })).toBe("共 3 笔待审订单");
    expect(fmtMoney(1234.5, "CNY")).toBe("¥1,234.50");
    expect(fmtMoney(165_027_502.72, "CNY", true)).toBe("¥1.7亿");
    expect(fmtPct(0.0467, 2)).toBe("4.67%");
    expect(fmtDate("2026-11-22")).toBe("2026/11/22");
    expect(fmtMonth("2026-03")).toBe("2026年3月");
  });
});

describe("errorMessage", () => {
  it("maps problem types and statuses to localised text, never the server's stack", () => {
    expect(errorMessage(new ApiError(404, { type: "/problems/not-found", title: "Resource not found", detail: "customer 'X' does not exist" }))).toBe("找不到请求的记录。");
    expect(errorMessage(new ApiError(500, { type: "/problems/internal", title: "Internal error" }))).toBe("服务器内部错误，已记录日志。请稍后再试。");
    expect(errorMessage(new ApiError(409, { type: "/problems/order-not-overridable" }))).toBe("操作冲突：该记录已被其他人处理，请刷新后重试。");
    expect(errorMessage(new ApiError(0, null))).toBe("无法连接服务器，请检查网络后重试。");
    expect(errorMessage(new ApiError(400, { type: "/problems/validation-error", errors: [{ path: "/query/from", expected: "a calendar date YYYY-MM-DD", received: "x" }] }))).toBe(
      "输入有误：/query/from: a calendar date YYYY-MM-DD",
    );
    expect(errorMessage(new TypeError("x is undefined\n    at foo (app.js:1:2)"))).toBe("页面加载失败。");
  });
});

describe("model metrics", () => {
  const metrics = { validation: { auc: 0.846, gini: 0.693, ks: 0.594, brier: 0.0316, logloss: 0.1257 }, candidates: { gbdt: 0.80, mlp: { validAuc: 0.84 }, note: "x" } };
  it("reads headline metrics from the evaluation section", () => {
    expect(evaluation(metrics)).toBe(metrics.validation);
    expect(headlineMetrics(metrics)).toEqual([["auc", 0.846], ["gini", 0.693], ["ks", 0.594], ["brier", 0.0316], ["logloss", 0.1257]]);
    expect(candidateAucs(metrics)).toEqual([["gbdt", 0.8], ["mlp", 0.84]]);
    expect(headlineMetrics(undefined)).toEqual([]);
  });
});
