import schedule from "node-schedule";
import { weekdaysFromRefreshTime } from "./cadence.js";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../log.js";
import { enqueueStaleReminders } from "../writeback/reminder.js";

/**
 * The weekday reminder of stale changes: every 30 minutes Monday to Friday from REFRESH_TIME
 * in TIME_ZONE (after the refresh decided what is stale); the day's dedupe key makes it one
 * notice per admin per day, across runs and instances.
 */
export function scheduleStaleReminder(config: Config, db: Database, log: Logger, delivered: () => void): schedule.Job {
  const rule = weekdaysFromRefreshTime(config);
  return schedule.scheduleJob("lca-stale-reminder", rule, async (firedAt) => {
    try {
      const enqueued = await enqueueStaleReminders(db.pool, { adminEmails: config.partner.admins, timeZone: config.partner.timeZone, now: firedAt });
      if (enqueued > 0) {
        log.info({ enqueued }, "reminders of changes stale for LCA enqueued");
        delivered();
      }
    } catch (error) {
      log.error({ err: error }, "stale-changes reminder failed; trying again in 30 minutes");
    }
  });
}
