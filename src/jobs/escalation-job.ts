import schedule from "node-schedule";
import { enqueueEscalations } from "../alerts/escalation.js";
import { weekdaysFromRefreshTime } from "./cadence.js";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../log.js";

/**
 * Escalations on the LCA cadence: every 30 minutes Monday to Friday from REFRESH_TIME in
 * TIME_ZONE, as the refresh (whose snapshot sends the reminders) and the stale-changes
 * reminder run. A step due today is taken at the first run; an alert reminded by the day's
 * refresh is seen at the next run, at most 30 minutes later. The audit row and the outbox's
 * dedupe key make each step once per alert, across runs and instances.
 */
export function scheduleEscalations(config: Config, db: Database, log: Logger, delivered: () => void): schedule.Job {
  const rule = weekdaysFromRefreshTime(config);
  return schedule.scheduleJob("lca-escalations", rule, async (firedAt) => {
    try {
      const outcome = await enqueueEscalations(db.pool, config, firedAt);
      if (outcome.rows > 0) {
        log.info({ escalated: outcome.escalated, rows: outcome.rows }, "escalations enqueued");
        delivered();
      }
    } catch (error) {
      log.error({ err: error }, "escalation run failed; trying again in 30 minutes");
    }
  });
}
