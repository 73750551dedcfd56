import type pg from "pg";
import type { DigestItem, DigestView } from "../protocol/views.js";
import type { PrismaClient } from "../db/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import { useCaseWhere } from "../queries/scope.js";
import type { AlertFacts } from "../domain/alerts.js";
import { daysBetween, fromDate, type IsoDate } from "../domain/dates.js";
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import { stallThreshold, type Stage, type StallThresholds } from "../domain/stages.js";
import type { DeliveryChannel, SubscriptionFilters } from "./routing.js";

/** Most urgent first: what costs the customer most if it waits. */
const PRIORITY: AlertKind[] = ["regression", "stalled", "missing_contact", "bounced_contact", "new_use_case"];
const TOP = 10;

/**
 * A CSM's daily digest: the open, unsnoozed alerts their subscriptions cover (one without
 * filters covers their own deployments, one with filters every deployment that matches),
 * counted and ranked.
 */
export async function digestView(prisma: PrismaClient, csmId: number, date: IsoDate, thresholds: StallThresholds, lcaUrl: (deploymentId: string) => string): Promise<DigestView | null> {
  const subscriptions = await prisma.subscription.findMany({ where: { csmId } });
  const covered: Prisma.AlertWhereInput[] = subscriptions.map((sub) => {
    const f = (sub.filters ?? {}) as SubscriptionFilters;
    const filters = { tags: f.tags ?? [], architectures: f.architectures ?? [], customers: f.customers ?? [] };
    const filtered = filters.tags.length + filters.architectures.length + filters.customers.length > 0;
    return { kind: { in: sub.kinds }, useCaseDeployment: useCaseWhere(filters, filtered ? undefined : csmId) };
  });
  if (covered.length === 0) return null;
  const alerts = await prisma.alert.findMany({
    where: {
      status: "open",
      AND: [{ OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: new Date(`${date}T23:59:59Z`) } }] }, { OR: covered }],
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
      lcaWait: alert.lcaWait,
    };
  });
  const top = items.sort((a, b) => a.rank - b.rank).slice(0, TOP).map(({ rank: _rank, ...item }) => item);
  return { date, counts, top };
}

/**
 * Called every minute on every instance: each CSM whose digest time has come today in their
 * own time zone gets one digest a day per chat. The outbox's dedupe key makes it once per
 * cluster, and an instance that was down at the minute catches up at the next one.
 */
export async function enqueueDueDigests(pool: pg.Pool, options: { now: Date; defaultTimeZone: string; channels: readonly DeliveryChannel[] }): Promise<number> {
  if (options.channels.length === 0) return 0;
  const result = await pool.query(
    `WITH due AS (
       SELECT c.id, to_char(($1::timestamptz AT TIME ZONE coalesce(c.time_zone, $2)), 'YYYY-MM-DD') AS local_date
       FROM csm c
       WHERE c.active AND c.digest_enabled
         AND to_char(($1::timestamptz AT TIME ZONE coalesce(c.time_zone, $2)), 'HH24:MI') >= c.digest_time)
     INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key)
     SELECT ch, 'csm:' || due.id, due.id, 'digest', json_build_object('csmId', due.id, 'date', due.local_date),
            'digest:' || due.id || ':' || due.local_date || ':' || ch
     FROM due CROSS JOIN unnest($3::"ChatChannel"[]) AS ch
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [options.now.toISOString(), options.defaultTimeZone, options.channels],
  );
  return result.rowCount ?? 0;
}
