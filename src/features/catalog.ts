import { toMajor } from "../shared";
import type { FeatureSpec } from "./types";

type Spec = FeatureSpec;

const windowed = (w: 90 | 180 | 365): Spec[] => {
  const en = w === 365 ? "12 months" : `${w} days`;
  const zh = w === 365 ? "近12个月" : `近${w}天`;
  return [
    {
      name: `invoice_count_${w}`,
      kind: "numeric",
      unit: "count",
      direction: "none",
      description: { en: `Number of invoices issued in the last ${en}`, zh: `${zh}开具的发票数量` },
      reason: { en: `{value} invoices issued in the last ${en}`, zh: `${zh}开票{value}张` },
    },
    {
      name: `invoice_amount_${w}`,
      kind: "numeric",
      unit: "money",
      direction: "none",
      description: { en: `Total value of invoices issued in the last ${en}`, zh: `${zh}开票总金额` },
      reason: { en: `Invoiced {value} in the last ${en}`, zh: `${zh}开票金额为{value}` },
    },
    {
      name: `on_time_share_${w}`,
      kind: "numeric",
      unit: "ratio",
      direction: "lower_is_riskier",
      description: {
        en: `Share of invoices due in the last ${en} that were paid in full by their due date`,
        zh: `${zh}到期发票中按期足额付款的比例`,
      },
      reason: { en: `Paid only {value} of invoices on time in the last ${en}`, zh: `${zh}按时付款比例仅为{value}` },
    },
    {
      name: `avg_days_late_${w}`,
      kind: "numeric",
      unit: "days",
      direction: "higher_is_riskier",
      description: {
        en: `Average days paid after the due date, over invoices due in the last ${en} (open ones count their days past due so far)`,
        zh: `${zh}到期发票的平均逾期天数（未付发票按当前逾期天数计）`,
      },
      reason: { en: `Invoices due in the last ${en} were paid {value} late on average`, zh: `${zh}到期发票平均逾期{value}` },
    },
    {
      name: `max_days_late_${w}`,
      kind: "numeric",
      unit: "days",
      direction: "higher_is_riskier",
      description: { en: `Worst days late over invoices due in the last ${en}`, zh: `${zh}到期发票的最长逾期天数` },
      reason: { en: `An invoice due in the last ${en} was paid {value} late`, zh: `${zh}有发票逾期长达{value}` },
    },
  ];
};

/**
 * Every payment-history feature `computeFeatures` returns, in output order: name, kind, unit, risk
 * direction, English and Chinese description, and an adverse-action reason template (`{value}` is
 * replaced by `formatFeatureValue`). The explanation layer maps model attributions to these reasons.
 */
export const FEATURE_CATALOG: readonly FeatureSpec[] = Object.freeze([
  ...windowed(90),
  ...windowed(180),
  ...windowed(365),
  {
    name: "late_1_30_share_365",
    kind: "numeric",
    unit: "ratio",
    direction: "higher_is_riskier",
    description: { en: "Share of invoices due in the last 12 months paid 1-30 days late", zh: "近12个月到期发票中逾期1-30天付款的比例" },
    reason: { en: "{value} of invoices in the last 12 months were paid 1-30 days late", zh: "近12个月有{value}的发票逾期1-30天付款" },
  },
  {
    name: "late_31_60_share_365",
    kind: "numeric",
    unit: "ratio",
    direction: "higher_is_riskier",
    description: { en: "Share of invoices due in the last 12 months paid 31-60 days late", zh: "近12个月到期发票中逾期31-60天付款的比例" },
    reason: { en: "{value} of invoices in the last 12 months were paid 31-60 days late", zh: "近12个月有{value}的发票逾期31-60天付款" },
  },
  {
    name: "late_61_90_share_365",
    kind: "numeric",
    unit: "ratio",
    direction: "higher_is_riskier",
    description: { en: "Share of invoices due in the last 12 months paid 61-90 days late", zh: "近12个月到期发票中逾期61-90天付款的比例" },
    reason: { en: "{value} of invoices in the last 12 months were paid 61-90 days late", zh: "近12个月有{value}的发票逾期61-90天付款" },
  },
  {
    name: "late_over_90_share_365",
    kind: "numeric",
    unit: "ratio",
    direction: "higher_is_riskier",
    description: {
      en: "Share of invoices due in the last 12 months paid more than 90 days late or still unpaid beyond 90 days",
      zh: "近12个月到期发票中逾期超过90天（含仍未付款）的比例",
    },
    reason: { en: "{value} of invoices in the last 12 months were more than 90 days late", zh: "近12个月有{value}的发票逾期超过90天" },
  },
  {
    name: "lateness_trend",
    kind: "numeric",
    unit: "days",
    direction: "higher_is_riskier",
    description: {
      en: "Average days late of invoices due in the last 90 days minus that of invoices due 91-365 days ago (positive = getting later)",
      zh: "近90天到期发票的平均逾期天数减去91-365天前到期发票的平均逾期天数（正值表示付款越来越慢）",
    },
    reason: { en: "Payments have become {value} slower than earlier in the year", zh: "付款速度较前期放缓{value}" },
  },
  {
    name: "open_exposure",
    kind: "numeric",
    unit: "money",
    direction: "none",
    description: { en: "Receivables outstanding (invoiced and not yet paid or written off)", zh: "应收账款余额（已开票未付款且未核销）" },
    reason: { en: "Outstanding receivables of {value}", zh: "应收账款余额为{value}" },
  },
  {
    name: "overdue_exposure",
    kind: "numeric",
    unit: "money",
    direction: "higher_is_riskier",
    description: { en: "Receivables past their due date", zh: "逾期应收账款金额" },
    reason: { en: "{value} of receivables are overdue", zh: "逾期应收账款达{value}" },
  },
  {
    name: "overdue_share",
    kind: "numeric",
    unit: "ratio",
    direction: "higher_is_riskier",
    description: { en: "Overdue receivables as a share of outstanding receivables (0 when nothing is outstanding)", zh: "逾期应收账款占应收账款余额的比例（无余额时为0）" },
    reason: { en: "{value} of outstanding receivables are overdue", zh: "应收账款中逾期部分占{value}" },
  },
  {
    name: "oldest_overdue_days",
    kind: "numeric",
    unit: "days",
    direction: "higher_is_riskier",
    description: { en: "Days past due of the oldest unpaid invoice (0 when nothing is overdue)", zh: "最早一笔未付逾期发票的逾期天数（无逾期时为0）" },
    reason: { en: "The oldest unpaid invoice is {value} past due", zh: "最早一笔未付发票已逾期{value}" },
  },
  {
    name: "open_invoice_count",
    kind: "numeric",
    unit: "count",
    direction: "none",
    description: { en: "Number of invoices not yet fully paid", zh: "尚未结清的发票数量" },
    reason: { en: "{value} invoices are not yet paid", zh: "尚有{value}张发票未结清" },
  },
  {
    name: "dispute_count_365",
    kind: "numeric",
    unit: "count",
    direction: "higher_is_riskier",
    description: { en: "Number of disputed invoices among those issued in the last 12 months", zh: "近12个月开具的发票中存在争议的数量" },
    reason: { en: "{value} disputed invoices in the last 12 months", zh: "近12个月有{value}张发票存在争议" },
  },
  {
    name: "disputed_share_365",
    kind: "numeric",
    unit: "ratio",
    direction: "higher_is_riskier",
    description: { en: "Share of invoices issued in the last 12 months that are disputed", zh: "近12个月开具发票中存在争议的比例" },
    reason: { en: "{value} of invoices in the last 12 months were disputed", zh: "近12个月有{value}的发票存在争议" },
  },
  {
    name: "ever_90dpd_count",
    kind: "numeric",
    unit: "count",
    direction: "higher_is_riskier",
    description: { en: "Number of invoices that ever went 90+ days past due or were written off", zh: "历史上逾期90天以上或被核销的发票数量" },
    reason: { en: "{value} invoices have gone 90+ days past due in the past", zh: "历史上有{value}张发票逾期超过90天" },
  },
  {
    name: "write_off_count",
    kind: "numeric",
    unit: "count",
    direction: "higher_is_riskier",
    description: { en: "Number of invoices written off as bad debt so far", zh: "迄今被核销为坏账的发票数量" },
    reason: { en: "{value} invoices have been written off as bad debt", zh: "已有{value}张发票核销为坏账" },
  },
  {
    name: "tenure_days",
    kind: "numeric",
    unit: "days",
    direction: "lower_is_riskier",
    description: { en: "Days since the customer relationship began (registration or first invoice)", zh: "客户合作时长（自注册或首张发票起的天数）" },
    reason: { en: "The trading relationship is only {value} old", zh: "合作时间仅{value}" },
  },
  {
    name: "days_since_last_late",
    kind: "numeric",
    unit: "days",
    direction: "lower_is_riskier",
    description: {
      en: "Days since the last late payment (0 while an invoice is overdue; capped at 730, which also means never late)",
      zh: "距最近一次逾期付款的天数（当前有逾期时为0；上限730天，从未逾期亦记为730）",
    },
    reason: { en: "The last late payment was only {value} ago", zh: "最近一次逾期付款距今仅{value}" },
  },
  {
    name: "credit_utilisation",
    kind: "numeric",
    unit: "ratio",
    direction: "higher_is_riskier",
    description: { en: "Outstanding receivables as a share of the credit limit (missing without a limit)", zh: "应收账款余额占信用额度的比例（无额度时缺失）" },
    reason: { en: "Uses {value} of the credit limit", zh: "信用额度使用率达{value}" },
  },
  {
    name: "avg_invoice_amount_365",
    kind: "numeric",
    unit: "money",
    direction: "none",
    description: { en: "Average invoice value over the last 12 months", zh: "近12个月平均单张发票金额" },
    reason: { en: "Average invoice of {value}", zh: "平均单张发票金额为{value}" },
  },
  {
    name: "volume_trend",
    kind: "numeric",
    unit: "ratio",
    direction: "none",
    description: {
      en: "Invoiced value of the last 90 days, annualised, relative to the last 12 months (1 = steady, below 1 = shrinking)",
      zh: "近90天开票金额（年化）与近12个月开票金额之比（1为持平，低于1为萎缩）",
    },
    reason: { en: "Recent purchases are at {value} of the 12-month run rate", zh: "近期采购额为近12个月平均水平的{value}" },
  },
  {
    name: "avg_days_to_pay_365",
    kind: "numeric",
    unit: "days",
    direction: "higher_is_riskier",
    description: { en: "Average days from invoice to full payment, for invoices settled in the last 12 months", zh: "近12个月结清发票从开票到付清的平均天数" },
    reason: { en: "Invoices take {value} to pay on average", zh: "发票平均回款周期为{value}" },
  },
  {
    name: "payment_terms_days",
    kind: "numeric",
    unit: "days",
    direction: "none",
    description: { en: "Agreed payment terms (days from invoice to due date)", zh: "约定账期（开票至到期的天数）" },
    reason: { en: "Payment terms of {value}", zh: "账期为{value}" },
  },
  {
    name: "industry",
    kind: "categorical",
    unit: "category",
    direction: "none",
    description: { en: "Industry of the customer", zh: "客户所属行业" },
    reason: { en: "Industry: {value}", zh: "所属行业：{value}" },
  },
] satisfies FeatureSpec[]);

const BY_NAME = new Map(FEATURE_CATALOG.map((s) => [s.name, s]));

/** The catalog entry of `name`, or undefined. */
export function featureSpec(name: string): FeatureSpec | undefined {
  return BY_NAME.get(name);
}

const numberFmt = { en: new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }), zh: new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 1 }) };

/**
 * A feature value for people: ratios as percentages ("62%"), days ("45 days" / "45天"), money in major
 * units of `currency` ("CNY 12,345.00" / "12,345.00元" for CNY), counts as integers, categories as is;
 * missing values as "n/a" / "无". Unknown feature names are formatted as plain numbers.
 */
export function formatFeatureValue(name: string, value: number | string | null | undefined, lang: "en" | "zh" = "en", currency = "CNY"): string {
  if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value))) return lang === "zh" ? "无" : "n/a";
  if (typeof value === "string") return value;
  const unit = BY_NAME.get(name)?.unit;
  switch (unit) {
    case "ratio":
      return `${Math.round(value * 100)}%`;
    case "days": {
      const d = Math.round(value);
      if (lang === "zh") return `${d}天`;
      return `${d} ${Math.abs(d) === 1 ? "day" : "days"}`;
    }
    case "money": {
      const major = toMajor(Math.round(value), currency);
      const s = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(major);
      if (lang === "zh") return currency === "CNY" ? `${s}元` : `${s} ${currency}`;
      return `${currency} ${s}`;
    }
    case "count":
      return String(Math.round(value));
    default:
      return numberFmt[lang].format(value);
  }
}
