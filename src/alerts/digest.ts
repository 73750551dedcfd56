import type pg from "pg";
import type { DigestItem, DigestView } from "../cards/view-models.js";
import type { PrismaClient } from "../db/database.js";
import type { AlertFacts } from "../domain/alerts.js";
import { daysBetween, fromDate, type IsoDate } from "../domain/dates.js";
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import { stallThreshold, type Stage, type StallThresholds } from "../domain/stages.js";
import { runOncePerCluster } from "../jobs/once.js";
import type { DeliveryChannel } from "./routing.js";

/** Most urgent first: what costs the customer most if it waits. */
const PRIORITY: AlertKind[] = ["regression", "stalled", "missing_contact", "bounced_contact", "new_use_case"];
const TOP = 10;

/** A CSM's daily digest: the open, unsnoozed alerts on their deployments, counted and ranked. */
export async function digestView(prisma: PrismaClient, csmId: number, date: IsoDate, thresholds: StallThresholds, lcaUrl: (deploymentId: string) => string): Promise<DigestView | null> {
  const alerts = await prisma.alert.findMany({
    where: {
      status: "open",
      OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: new Date(`${date}T23:59:59Z`) } }],
      useCaseDeployment: { active: true, deployment: { assignedCsmId: csmId } },
    },
    include: { useCaseDeployment: { include: { useCase: true, deployment: { include: { customer: true } } } } },
  });
  if (alerts.length === 0) return null;
  const counts = Object.fromEntries(ALERT_KINDS.map((k) => [k, 0])) as Record<AlertKind, number>;
  const items: (DigestItem & { rank: number })[] = alerts.map((alert) => {
    const kind = alert.kind as AlertKind;
    counts[kind]++;
    const ucd = alert.useCaseDeployment;
    const stage = ucd.stage as Stage;
    const facts = alert.facts as unknown as AlertFacts;
    const daysInStage = daysBetween(fromDate(ucd.stageEnteredOn), date);
    return {
      rank: PRIORITY.indexOf(kind) * 100_000 - daysInStage,
      alertId: alert.id,
      kind,
      customer: { crPartyId: ucd.deployment.customer.crPartyId, name: ucd.deployment.customer.name },
      useCase: { architecture: ucd.useCase.architecture, solutionDomain: ucd.useCase.solutionDomain, name: ucd.useCase.name },
      stage,
      daysInStage,
      threshold: stallThreshold(thresholds, stage, ucd.useCase.solutionDomain),
      ...(facts.kind === "regression" ? { fromStage: facts.fromStage, toStage: facts.toStage } : {}),
      ...(facts.kind === "bounced_contact" ? { contactEmail: facts.email, barrier: facts.barrier } : {}),
      addedOn: fromDate(ucd.addedOn),
      lcaUrl: lcaUrl(ucd.deployment.deploymentId),
    };
  });
  const top = items.sort((a, b) => a.rank - b.rank).slice(0, TOP).map(({ rank: _rank, ...item }) => item);
  return { date, counts, top };
}

function localClock(timeZone: string, now: Date): { date: IsoDate; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/**
 * Called every minute on every instance: each CSM whose digest time it is in their own time
 * zone gets one digest per day, decided once per cluster and written to the outbox.
 */
export async function enqueueDueDigests(pool: pg.Pool, options: { now: Date; defaultTimeZone: string; channels: readonly DeliveryChannel[]; instance: string }): Promise<number> {
  if (options.channels.length === 0) return 0;
  const { rows: csms } = await pool.query<{ id: number; time_zone: string | null; digest_time: string }>(
    `SELECT id, time_zone, digest_time FROM csm WHERE active AND digest_enabled`,
  );
  let enqueued = 0;
  for (const csm of csms) {
    const clock = localClock(csm.time_zone ?? options.defaultTimeZone, options.now);
    if (clock.time !== csm.digest_time) continue;
    const outcome = await runOncePerCluster(pool, `digest:${csm.id}`, clock.date, options.instance, async () => {
      const result = await pool.query(
        `INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key)
         SELECT ch, $1, $2::int, 'digest', $3, 'digest:' || $2::int || ':' || $4 || ':' || ch
         FROM unnest($5::"ChatChannel"[]) AS ch
         ON CONFLICT (dedupe_key) DO NOTHING`,
        [`csm:${csm.id}`, csm.id, JSON.stringify({ csmId: csm.id, date: clock.date }), clock.date, options.channels],
      );
      return result.rowCount ?? 0;
    });
    if (outcome.ran) enqueued += outcome.result;
  }
  return enqueued;
}
