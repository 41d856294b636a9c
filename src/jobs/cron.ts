import cronParser from "cron-parser";
import { ValidationError } from "../shared";

/** Next time `cron` (5 or 6 fields, UTC) fires strictly after `after`. @throws ValidationError on a bad expression. */
export function nextCronTime(cron: string, after: Date, field = "cron"): Date {
  try {
    return cronParser.parseExpression(cron, { currentDate: after, tz: "UTC" }).next().toDate();
  } catch (e) {
    throw new ValidationError([{ path: field, expected: "a cron expression such as '0 2 * * *'", received: `"${cron}" (${(e as Error).message})` }]);
  }
}

/**
 * A small in-process cron scheduler: calls `tick(fireTime)` each time `cron` fires (UTC). One timer per
 * schedule, re-armed after each tick; long gaps are chunked because setTimeout caps at ~24.8 days.
 */
export class CronSchedule {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly cron: string,
    private readonly tick: (fireTime: Date) => void,
    private readonly now: () => Date = () => new Date(),
  ) {
    nextCronTime(cron, now());
  }

  start(): this {
    this.stopped = false;
    this.arm(nextCronTime(this.cron, this.now()));
    return this;
  }

  private arm(at: Date): void {
    if (this.stopped) return;
    const wait = Math.min(at.getTime() - this.now().getTime(), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      if (this.now().getTime() < at.getTime()) return this.arm(at);
      this.tick(at);
      this.arm(nextCronTime(this.cron, at));
    }, Math.max(0, wait));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
