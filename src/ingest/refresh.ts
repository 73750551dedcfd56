import type pg from "pg";
import type { Config } from "../config.js";
import { todayIn, type IsoDate } from "../domain/dates.js";
import { AppError } from "../errors.js";
import { fetchNewestSnapshot } from "./feed.js";
import { fileSha256, ingestFile, type IngestSummary } from "./ingest.js";

export type RefreshOutcome =
  /** `newExport`: false when the feed still held the export applied before (re-applied for the new date). */
  | { applied: true; newExport: boolean; summary: IngestSummary }
  | { applied: false; reason: "unchanged"; file: string };

/**
 * Ingests the newest snapshot of the configured feed. The export applied last time, still in
 * the partner's folder on a new day, is applied again for that day (days in stage, reminders
 * and the 30-day window move with the date) and reported as no new export; for the same day
 * it is skipped.
 */
export async function refresh(pool: pg.Pool, config: Config, asOf?: IsoDate): Promise<RefreshOutcome> {
  if (!config.refresh.feed) throw new AppError("ingest.noFeed");
  const today = asOf ?? todayIn(config.partner.timeZone);
  const snapshot = await fetchNewestSnapshot(config.refresh.feed, { maxBytes: config.refresh.feedMaxBytes, timeoutMs: config.refresh.feedTimeoutMs });
  try {
    const sha256 = await fileSha256(snapshot.file);
    const { rows } = await pool.query<{ sha256: string; as_of: IsoDate }>(`SELECT sha256, as_of FROM snapshot ORDER BY id DESC LIMIT 1`);
    const sameExport = rows[0]?.sha256 === sha256;
    if (sameExport && rows[0]!.as_of >= today) return { applied: false, reason: "unchanged", file: snapshot.file };
    const summary = await ingestFile(pool, snapshot.file, {
      asOf: today,
      sha256,
      stallThresholds: config.alerts.stallThresholds,
      reminderDays: config.alerts.reminderDays,
      batchOver: config.alerts.batchOver,
      partnerDomains: config.partner.domains,
      adminEmails: config.partner.admins,
      writeback: { graceDays: config.writeback.graceDays, timeZone: config.partner.timeZone },
    });
    return { applied: true, newExport: !sameExport, summary };
  } finally {
    await snapshot.release();
  }
}
