import type pg from "pg";
import type { DeliveryChannel } from "../alerts/routing.js";
import type { Config } from "../config.js";
import { todayIn, type IsoDate } from "../domain/dates.js";
import { AppError } from "../errors.js";
import { fetchNewestSnapshot } from "./feed.js";
import { fileSha256, ingestFile, type IngestSummary } from "./ingest.js";

export type RefreshOutcome = { applied: true; summary: IngestSummary } | { applied: false; reason: "unchanged"; file: string };

/**
 * Ingests the newest snapshot of the configured feed. A file whose bytes were applied last
 * time is skipped (the partner's folder keeps yesterday's export until a new one arrives).
 */
export async function refresh(pool: pg.Pool, config: Config, channels: readonly DeliveryChannel[], asOf?: IsoDate): Promise<RefreshOutcome> {
  if (!config.refresh.feed) throw new AppError("ingest.noFeed");
  const snapshot = await fetchNewestSnapshot(config.refresh.feed);
  try {
    const sha256 = await fileSha256(snapshot.file);
    const { rows } = await pool.query<{ sha256: string }>(`SELECT sha256 FROM snapshot ORDER BY id DESC LIMIT 1`);
    if (rows[0]?.sha256 === sha256) return { applied: false, reason: "unchanged", file: snapshot.file };
    const summary = await ingestFile(pool, snapshot.file, {
      asOf: asOf ?? todayIn(config.partner.timeZone),
      stallThresholds: config.alerts.stallThresholds,
      reminderDays: config.alerts.reminderDays,
      channels,
    });
    return { applied: true, summary };
  } finally {
    await snapshot.release();
  }
}
