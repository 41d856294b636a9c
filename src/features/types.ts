import type { IsoDate } from "../shared";

/**
 * The shared payment-history types (docs/ARCHITECTURE.md, "Shared domain types"). Money is integer minor
 * units of the record's currency; business dates are `YYYY-MM-DD` calendar dates.
 */

/** One invoice as stored today. Point-in-time views are derived from it by date, never from `status`. */
export interface InvoiceRecord {
  id: string;
  customerId: string;
  issueDate: IsoDate;
  dueDate: IsoDate;
  amountMinor: number;
  currency: string;
  /** Paid so far (today's value; point-in-time code uses dated payments instead). */
  paidMinor: number;
  /** Date the invoice was paid in full, or null. */
  settledDate: IsoDate | null;
  disputed: boolean;
  status: "open" | "paid" | "written_off" | "cancelled";
  writtenOffDate: IsoDate | null;
}

/** One payment; `invoiceId` is null for payments not allocated to an invoice. */
export interface PaymentRecord {
  id: string;
  customerId: string;
  invoiceId: string | null;
  date: IsoDate;
  amountMinor: number;
}

/** Everything the feature code needs about one customer. */
export interface CustomerHistory {
  customerId: string;
  registrationDate: IsoDate | null;
  industry: string | null;
  paymentTermsDays: number | null;
  creditLimitMinor: number | null;
  invoices: InvoiceRecord[];
  payments: PaymentRecord[];
}

/** Feature name -> value; null means missing. */
export type FeatureVector = Record<string, number | string | null>;

/** Catalog entry of one feature: what it measures, in which unit, and which way risk goes. */
export interface FeatureSpec {
  name: string;
  kind: "numeric" | "categorical";
  unit: "count" | "days" | "ratio" | "money" | "category";
  direction: "higher_is_riskier" | "lower_is_riskier" | "none";
  description: { en: string; zh: string };
  /** Adverse-action reason template with a `{value}` placeholder (value formatted by `formatFeatureValue`). */
  reason: { en: string; zh: string };
}

/** Facts about a customer's receivables at an as-of date, for the policy layer. Money in minor units. */
export interface CreditFacts {
  asOf: IsoDate;
  openReceivablesMinor: number;
  overdueMinor: number;
  /** overdue / open, 0 when nothing is open. */
  overdueShare: number;
  /** Days past due of the oldest overdue invoice, 0 when nothing is overdue. */
  oldestOverdueDays: number;
  disputedOpenMinor: number;
  writtenOffMinor12m: number;
  avgMonthlyPurchasesMinor12m: number;
  invoiceCount12m: number;
  onTimeShare12m: number | null;
  avgDaysLate12m: number | null;
  maxDaysLate12m: number | null;
  tenureDays: number | null;
  /** Predicted days from issue to payment for a new invoice, from this customer's history. */
  expectedDaysToPay: number | null;
}

/** Outstanding receivables by days past due at an as-of date, in minor units. */
export interface AgingBuckets {
  asOf: IsoDate;
  /** Not yet due (as-of date on or before the due date). */
  currentMinor: number;
  dpd1to30Minor: number;
  dpd31to60Minor: number;
  dpd61to90Minor: number;
  /** 91 days or more past due. */
  dpd90PlusMinor: number;
  totalMinor: number;
}
