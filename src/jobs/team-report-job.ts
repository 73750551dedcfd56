import type pg from "pg";
import schedule from "node-schedule";
import type { Config, TeamSpaceSetting } from "../config.js";
import type { Database } from "../db/database.js";
import type { Queryable } from "../db/sql.js";
import { isoWeekOf, todayIn } from "../domain/dates.js";
import type { Logger } from "../log.js";
import { mondaysFromRefreshTime } from "./cadence.js";

/** Without the Monday export by this hour (TIME_ZONE), the week's report goes out on the data there is. */
const LATEST_HOUR = 12;

/**
 * One `team_report` row per team space of TEAM_SPACES for the ISO week of `now` in the
 * partner's zone: the dedupe key names the week and the space, so every later run that week,
 * on this or another instance, writes nothing. The card and its chart are drawn when the row
 * is sent (src/delivery/plan.ts). Returns the number of rows written.
 */
export async function enqueueTeamReports(db: Queryable, options: { spaces: readonly TeamSpaceSetting[]; timeZone: string; now: Date }): Promise<number> {
  if (options.spaces.length === 0) return 0;
  const week = isoWeekOf(todayIn(options.timeZone, options.now)).label;
  const result = await db.query(
    `INSERT INTO outbox_message (channel, destination, kind, payload, dedupe_key)
     SELECT t.channel::"ChatChannel", t.address, 'team_report', jsonb_build_object('week', $3::text), 'team-report:' || $3 || ':' || t.channel || ':' || t.address
     FROM unnest($1::text[], $2::text[]) AS t(channel, address)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [options.spaces.map((s) => s.channel), options.spaces.map((s) => s.address), week],
  );
  return result.rowCount ?? 0;
}

/**
 * Whether the Monday report may go out now: after that day's refresh applied a new export
 * (job_run `refresh`), or with no feed configured, or, when the export is late, from noon
 * in TIME_ZONE on the data there is.
 */
export async function teamReportDue(pool: pg.Pool, config: Pick<Config, "refresh" | "partner">, now: Date): Promise<boolean> {
  if (!config.refresh.feed) return true;
  const hour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: config.partner.timeZone, hour: "2-digit", hourCycle: "h23" }).format(now));
  if (hour >= LATEST_HOUR) return true;
  const { rows } = await pool.query<{ outcome: string | null }>(`SELECT outcome FROM job_run WHERE job = 'refresh' AND slot = $1`, [todayIn(config.partner.timeZone, now)]);
  return rows[0]?.outcome === "ok";
}

/**
 * The weekly team report: on Mondays after the refresh (see teamReportDue), one report to
 * every team space through the outbox, once per ISO week per space.
 */
export function scheduleTeamReport(config: Config, db: Database, log: Logger, delivered: () => void): schedule.Job | undefined {
  if (config.teamSpaces.length === 0) return undefined;
  return schedule.scheduleJob("lca-team-report", mondaysFromRefreshTime(config), async (firedAt) => {
    try {
      if (!(await teamReportDue(db.pool, config, firedAt))) return;
      const enqueued = await enqueueTeamReports(db.pool, { spaces: config.teamSpaces, timeZone: config.partner.timeZone, now: firedAt });
      if (enqueued > 0) {
        log.info({ enqueued }, "weekly team reports enqueued");
        delivered();
      }
    } catch (error) {
      log.error({ err: error }, "weekly team report failed; trying again in 30 minutes");
    }
  });
}
