import schedule from "node-schedule";
import type { Config } from "../config.js";

/** Every 30 minutes from REFRESH_TIME until midnight, in TIME_ZONE, on the given days (0 Sunday … 6 Saturday). */
function fromRefreshTime(config: Pick<Config, "refresh" | "partner">, days: schedule.RecurrenceRule["dayOfWeek"]): schedule.RecurrenceRule {
  const [hour, minute] = config.refresh.time.split(":").map(Number);
  const rule = new schedule.RecurrenceRule();
  rule.dayOfWeek = days;
  rule.hour = new schedule.Range(hour!, 23);
  rule.minute = [minute!, (minute! + 30) % 60];
  rule.tz = config.partner.timeZone;
  return rule;
}

/**
 * The LCA cadence: Monday to Friday, every 30 minutes from REFRESH_TIME until midnight, in
 * TIME_ZONE. The daily refresh runs on it (looking again until the day's export is in), and
 * so does the reminder of changes stale for LCA.
 */
export function weekdaysFromRefreshTime(config: Pick<Config, "refresh" | "partner">): schedule.RecurrenceRule {
  return fromRefreshTime(config, [new schedule.Range(1, 5)]);
}

/** The same on Mondays only: the weekly team report, after the Monday refresh. */
export function mondaysFromRefreshTime(config: Pick<Config, "refresh" | "partner">): schedule.RecurrenceRule {
  return fromRefreshTime(config, 1);
}
