import type pg from "pg";
import type { Config } from "../config.js";
import type { IsoDate } from "../domain/dates.js";
import { refresh, type RefreshOutcome } from "../ingest/refresh.js";
import { runOncePerCluster } from "./once.js";

/**
 * The daily refresh as the scheduler runs it: once per cluster per LCA day. The day counts
 * as done only once a new export was applied; until then (yesterday's file still in the
 * folder, a feed error) later attempts that day try again.
 */
export function scheduledRefresh(pool: pg.Pool, config: Config, instance: string, today: IsoDate): ReturnType<typeof runOncePerCluster<RefreshOutcome>> {
  return runOncePerCluster(pool, "refresh", today, instance, () => refresh(pool, config, today), {
    settled: (outcome) => outcome.applied && outcome.newExport,
  });
}
