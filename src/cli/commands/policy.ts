import type { Command } from "commander";

/**
 * `credit policy check FILE` validates a policy file; `credit policy simulate FILE [--against CURRENT]`
 * replays the stored portfolio under a candidate policy against the current one.
 */
export function register(program: Command): void {
  const policy = program.command("policy").description("validate policy files, simulate a candidate policy on the stored portfolio, print the collections worklist");
  registerWorklist(policy);

  policy
    .command("check")
    .argument("<file>", "policy file (.yaml, .yml or .json)")
    .description("validate a policy file; prints OK and a summary, or each bad field (exit 2)")
    .option("--json", "machine-readable output")
    .action(async (file: string, opts: { json?: boolean }) => {
      const { loadPolicyFile, formatMoney } = await import("../../policy");
      const p = loadPolicyFile(file);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ok: true, version: p.version, sha256: p.sha256, currency: p.currency, tiers: p.tiers.map((t) => t.id) }, null, 2) + "\n");
        return;
      }
      const lines = [`OK ${file}`, `version   ${p.version}`, `sha256    ${p.sha256}`, `currency  ${p.currency}`, "tiers:"];
      let lo = 0;
      for (const t of p.tiers) {
        const tl = p.limits.perTier[t.id];
        const ladder = p.collections.ladders[t.id].map((s) => `${s.id}@${s.offsetDays >= 0 ? "+" : ""}${s.offsetDays}d`).join(" ");
        lines.push(
          `  ${t.id} ${t.name.en}/${t.name.zh}: PD [${lo}, ${t.maxPd}${t.rank === p.tiers.length - 1 ? "]" : ")"}, review every ${t.reviewMonths} month(s), cap ${formatMoney(tl.capMinor, p.currency)}, ` +
            `${tl.monthsOfPurchases} x monthly purchases, EL budget ${formatMoney(tl.expectedLossBudgetMinor, p.currency)}`,
          `     ladder: ${ladder}`,
        );
        lo = t.maxPd;
      }
      const r = p.rules;
      lines.push(
        `rules: blacklist->${r.blacklist.outcome}, lowest tier->${r.lowestTier.outcome}, exposure > limit x ${1 + r.exposureOverLimit.tolerance}->${r.exposureOverLimit.outcome}, ` +
          `oldest overdue > ${r.oldestOverdueDays.maxDays}d->${r.oldestOverdueDays.outcome}, overdue share > ${r.overdueShare.maxShare}->${r.overdueShare.outcome}, ` +
          `limit expired->${r.limitExpired.outcome}, PD rise > ${r.pdRise.maxIncrease}->${r.pdRise.outcome}`,
        `trial: base ${formatMoney(p.limits.trial.baseMinor, p.currency)} + ${formatMoney(p.limits.trial.growthPerOnTimeInvoiceMinor, p.currency)} per on-time invoice, max ${formatMoney(p.limits.trial.maxMinor, p.currency)}`,
        `review: step <= ${p.review.maxIncreaseShare * 100}% (min ${formatMoney(p.review.minIncreaseStepMinor, p.currency)}), approval above ${formatMoney(p.review.approvalAboveMinor, p.currency)}`,
      );
      process.stdout.write(lines.join("\n") + "\n");
    });

  policy
    .command("simulate")
    .argument("<file>", "candidate policy file")
    .description("replay the stored portfolio under a candidate policy and compare with the current one")
    .option("--against <file>", "current policy file (default: POLICY_FILE)")
    .option("--as-of <date>", "as-of date YYYY-MM-DD (default: today, UTC)")
    .option("--json", "machine-readable output")
    .option("--quiet", "no progress bar")
    .action(async (file: string, opts: { against?: string; asOf?: string; json?: boolean; quiet?: boolean }) => {
      const { loadConfig } = await import("../../config");
      const { openDatabase } = await import("../../db");
      const { loadPolicyFile, loadPortfolio, simulatePortfolio } = await import("../../policy");
      const { isIsoDate, todayUtc, ValidationError, describeValue } = await import("../../shared");
      const cfg = loadConfig();
      const asOf = opts.asOf ?? todayUtc();
      if (!isIsoDate(asOf)) throw new ValidationError([{ path: "--as-of", expected: "a YYYY-MM-DD calendar date", received: describeValue(asOf) }]);
      const current = loadPolicyFile(opts.against ?? cfg.POLICY_FILE);
      const candidate = loadPolicyFile(file);
      const db = await openDatabase(cfg.DATABASE_URL);
      try {
        let bar: import("cli-progress").SingleBar | undefined;
        if (!opts.quiet && !opts.json && process.stderr.isTTY) {
          const { SingleBar, Presets } = await import("cli-progress");
          bar = new SingleBar({ format: "facts {bar} {value}/{total} customers", stream: process.stderr }, Presets.shades_classic);
        }
        const portfolio = await loadPortfolio(db, asOf, (done, total) => {
          if (!bar) return;
          if (done === 1 || !bar.getTotal()) bar.start(total, done);
          else bar.update(done);
        });
        bar?.stop();
        const report = simulatePortfolio(current, candidate, portfolio.entries, asOf);
        const check = {
          factsOpenReceivablesMinor: report.exposure.receivablesMinor,
          sqlOpenReceivablesMinor: portfolio.sqlOpenReceivablesMinor,
          agrees: report.exposure.receivablesMinor === portfolio.sqlOpenReceivablesMinor,
        };
        if (opts.json) {
          process.stdout.write(JSON.stringify({ ...report, exposureCheck: check }, null, 2) + "\n");
        } else {
          process.stdout.write(renderReport(report, check, (await import("../../policy")).formatMoney) + "\n");
        }
        if (!check.agrees) process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
}

function registerWorklist(policy: Command): void {
  policy
    .command("worklist")
    .description("the collections worklist: open invoices ranked by expected loss, days overdue and forecast delay, with the next action")
    .option("--policy <file>", "policy file (default: POLICY_FILE)")
    .option("--as-of <date>", "as-of date YYYY-MM-DD (default: today, UTC)")
    .option("--customer <id>", "only this customer (external id)")
    .option("--limit <n>", "rows to print", "20")
    .option("--json", "machine-readable output")
    .action(async (opts: { policy?: string; asOf?: string; customer?: string; limit: string; json?: boolean }) => {
      const { loadConfig } = await import("../../config");
      const { openDatabase } = await import("../../db");
      const { loadPolicyFile, loadWorklist, formatMoney } = await import("../../policy");
      const { isIsoDate, todayUtc, ValidationError, describeValue } = await import("../../shared");
      const cfg = loadConfig();
      const asOf = opts.asOf ?? todayUtc();
      if (!isIsoDate(asOf)) throw new ValidationError([{ path: "--as-of", expected: "a YYYY-MM-DD calendar date", received: describeValue(asOf) }]);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new ValidationError([{ path: "--limit", expected: "a whole number >= 1", received: describeValue(opts.limit) }]);
      const p = loadPolicyFile(opts.policy ?? cfg.POLICY_FILE);
      const db = await openDatabase(cfg.DATABASE_URL);
      try {
        const rows = await loadWorklist(db, p, asOf, { customerId: opts.customer, limit });
        if (opts.json) {
          process.stdout.write(JSON.stringify({ asOf, policyVersion: p.version, rows }, null, 2) + "\n");
          return;
        }
        const out = [`Collections worklist as of ${asOf} (${p.version}), top ${rows.length}`, "rank invoice          customer      tier  open amount     PD     exp. loss  overdue  pays by     next action (due)"];
        for (const r of rows) {
          const next = r.nextAction ? `${r.nextAction.step} (${r.nextAction.dueDate})` : r.state;
          out.push(
            `${String(r.rank).padStart(4)} ${r.invoiceId.padEnd(16)} ${r.customerId.padEnd(13)} ${r.tier.padEnd(4)} ${formatMoney(r.openMinor, p.currency).padStart(12)} ${(r.pd * 100).toFixed(1).padStart(5)}% ` +
              `${formatMoney(r.expectedLossMinor, p.currency).padStart(12)} ${String(r.daysOverdue).padStart(6)}d  ${r.forecast.date}  ${next}${r.brokenPromise ? " [broken promise]" : ""}`,
          );
        }
        process.stdout.write(out.join("\n") + "\n");
      } finally {
        await db.close();
      }
    });
}

type Report = import("../../policy").SimulationReport;

function renderReport(r: Report, check: { factsOpenReceivablesMinor: number; sqlOpenReceivablesMinor: number; agrees: boolean }, fmt: (m: number, c?: string) => string): string {
  const m = (x: number) => fmt(x, r.currency);
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const delta = (a: number, b: number) => (b - a >= 0 ? "+" : "") + m(b - a);
  const out: string[] = [];
  out.push(`Policy simulation as of ${r.asOf} (${r.currency})`);
  out.push(`  current:   ${r.current.version}`, `  candidate: ${r.candidate.version}`);
  out.push(`Customers: ${r.customers.total} (scored ${r.customers.scored}, unscored ${r.customers.unscored})`, "");
  out.push("Customers per tier        current  candidate");
  let sa = 0;
  let sb = 0;
  for (const t of r.tierIds) {
    const a = r.current.tiers[t] ?? 0;
    const b = r.candidate.tiers[t] ?? 0;
    sa += a;
    sb += b;
    out.push(`  ${t.padEnd(22)} ${pad(a, 8)} ${pad(b, 10)}`);
  }
  out.push(`  ${"unscored".padEnd(22)} ${pad(r.customers.unscored, 8)} ${pad(r.customers.unscored, 10)}`);
  out.push(`  ${"total".padEnd(22)} ${pad(sa + r.customers.unscored, 8)} ${pad(sb + r.customers.unscored, 10)}`, "");
  const to = Object.keys(Object.values(r.migration)[0] ?? {});
  out.push(`Tier migration (rows current, columns candidate)`, `  ${"".padEnd(6)}${to.map((t) => pad(t, 8)).join("")}`);
  for (const [from, row] of Object.entries(r.migration)) out.push(`  ${from.padEnd(6)}${to.map((t) => pad(row[t], 8)).join("")}`);
  out.push("");
  out.push(`Total limits: current ${m(r.current.totalLimitMinor)}, candidate ${m(r.candidate.totalLimitMinor)} (${delta(r.current.totalLimitMinor, r.candidate.totalLimitMinor)})`);
  out.push(`  limits up ${r.limits.increased}, down ${r.limits.decreased}, unchanged ${r.limits.unchanged}; stored approved limits ${m(r.limits.storedTotalMinor)}`);
  out.push(`Exposure: open receivables ${m(r.exposure.receivablesMinor)} + open orders ${m(r.exposure.openOrdersMinor)} = ${m(r.exposure.totalMinor)}`);
  out.push(
    `  check: open receivables from facts ${m(check.factsOpenReceivablesMinor)} vs SQL sum ${m(check.sqlOpenReceivablesMinor)}: ${check.agrees ? "agree" : `DISAGREE by ${m(check.factsOpenReceivablesMinor - check.sqlOpenReceivablesMinor)}`}`,
  );
  out.push(`Expected loss on today's exposure (exposure x PD x LGD): current ${m(r.current.expectedLossMinor)}, candidate ${m(r.candidate.expectedLossMinor)} (${delta(r.current.expectedLossMinor, r.candidate.expectedLossMinor)})`);
  out.push(`Expected loss underwritten by the limits (limit x PD x LGD): current ${m(r.current.limitExpectedLossMinor)}, candidate ${m(r.candidate.limitExpectedLossMinor)} (${delta(r.current.limitExpectedLossMinor, r.candidate.limitExpectedLossMinor)})`, "");
  out.push(`Pending orders: ${r.orders.count} worth ${m(r.orders.amountMinor)}; ${r.orders.changed} would get a different decision`);
  out.push("  decision     current  candidate");
  for (const o of Object.keys(r.current.orders) as (keyof Report["current"]["orders"])[]) out.push(`  ${o.padEnd(10)} ${pad(r.current.orders[o], 9)} ${pad(r.candidate.orders[o], 10)}`);
  out.push(
    `  approved: current ${m(r.current.approvedOrdersMinor)} (expected loss ${m(r.current.approvedOrdersExpectedLossMinor)}), candidate ${m(r.candidate.approvedOrdersMinor)} (expected loss ${m(r.candidate.approvedOrdersExpectedLossMinor)})`,
  );
  return out.join("\n");
}
