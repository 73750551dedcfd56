import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { addDays, type IsoDate } from "../domain/dates.js";
import { ALERT_KINDS } from "../domain/recommendations.js";
import { AppError } from "../errors.js";
import { ingestRows, type IngestSummary } from "../ingest/ingest.js";
import { DEMO_CSMS, demoPortfolio } from "./demo-data.js";
import { nextDay } from "./portfolio.js";

/** Nothing has been ingested yet: the embedded default then offers the demo data set. */
export async function isEmpty(db: Database): Promise<boolean> {
  return (await db.prisma.snapshot.count()) === 0;
}

/**
 * Loads the demo data set as two consecutive days of snapshots, so a newcomer sees history:
 * the first is the baseline, the second brings new use cases, progressions, regressions and
 * bounces. Both are marked as demo; the first real snapshot replaces them.
 */
export async function loadDemo(db: Database, config: Config, today: IsoDate): Promise<IngestSummary> {
  if (!(await isEmpty(db))) {
    const last = await db.prisma.snapshot.findFirst({ orderBy: { id: "desc" } });
    if (!last?.isDemo) throw new AppError("demo.realData");
  }
  for (const csm of DEMO_CSMS) {
    await db.prisma.csm.upsert({
      where: { email: csm.email },
      create: { email: csm.email, name: csm.name, locale: csm.locale, timeZone: csm.timeZone, subscriptions: { create: { kinds: [...ALERT_KINDS] } } },
      update: { name: csm.name, locale: csm.locale, timeZone: csm.timeZone },
    });
  }
  const yesterday = addDays(today, -1);
  const first = demoPortfolio(yesterday);
  const second = nextDay(first, { seed: 7, asOf: today, changeRate: 0.06 });
  const options = { isDemo: true, stallThresholds: config.alerts.stallThresholds, reminderDays: config.alerts.reminderDays, batchOver: config.alerts.batchOver, partnerDomains: config.partner.domains, adminEmails: config.partner.admins };
  await ingestRows(db.pool, first.rows.map((row) => ({ ok: true as const, row })), { ...options, asOf: yesterday, source: "demo" });
  return ingestRows(db.pool, second.rows.map((row) => ({ ok: true as const, row })), { ...options, asOf: today, source: "demo" });
}
