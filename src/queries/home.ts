import type { Locale } from "../locale.js";
import { hasFilters, type SubscriptionFilters } from "../domain/subscriptions.js";
import { daysBetween, fromDate } from "../domain/dates.js";
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import { stallThreshold, type Stage } from "../domain/stages.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { AlertView, HomeView } from "../protocol/views.js";
import { alertView, type QueryContext } from "./queries.js";
import { useCaseWhere } from "./scope.js";

/** The Home page lists this many alerts; the counts cover all of them. */
export const HOME_TOP = 10;

/** After stalled alerts (longest over their threshold first): what costs the customer most if it waits. */
const AFTER_STALLED: AlertKind[] = ["regression", "missing_contact", "bounced_contact", "new_use_case"];


/**
 * A CSM's Home: the open, unsnoozed alerts on the deployments they look after, and those
 * their filtered subscriptions follow (as the digest reads them), counted by kind; the ten
 * most urgent as alert cards; their settings. null when the CSM does not exist.
 */
export async function homeView(ctx: QueryContext, args: { csmId: number; locale: Locale; timeZone: string; now: Date }): Promise<HomeView | null> {
  const csm = await ctx.prisma.csm.findUnique({ where: { id: args.csmId }, include: { subscriptions: true } });
  if (!csm) return null;
  const followed: Prisma.AlertWhereInput[] = csm.subscriptions.flatMap((sub) => {
    const f = (sub.filters ?? {}) as SubscriptionFilters;
    if (!hasFilters(f)) return [];
    return [{ kind: { in: sub.kinds }, useCaseDeployment: useCaseWhere({ tags: f.tags ?? [], architectures: f.architectures ?? [], customers: f.customers ?? [] }) }];
  });
  const alerts = await ctx.prisma.alert.findMany({
    where: {
      status: "open",
      AND: [
        { OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: args.now } }] },
        { OR: [{ useCaseDeployment: useCaseWhere({ tags: [], architectures: [], customers: [] }, args.csmId) }, ...followed] },
      ],
    },
    select: { id: true, kind: true, useCaseDeployment: { select: { stage: true, stageEnteredOn: true, useCase: { select: { solutionDomain: true } } } } },
  });
  const counts = Object.fromEntries(ALERT_KINDS.map((k) => [k, 0])) as Record<AlertKind, number>;
  const ranked = alerts.map((alert) => {
    const kind = alert.kind as AlertKind;
    counts[kind]++;
    const ucd = alert.useCaseDeployment;
    const days = daysBetween(fromDate(ucd.stageEnteredOn), ctx.today);
    const threshold = stallThreshold(ctx.stallThresholds, ucd.stage as Stage, ucd.useCase.solutionDomain) ?? 0;
    // Stalled first, by days over the threshold; then by kind, longest in stage first.
    const group = kind === "stalled" ? 0 : 1 + AFTER_STALLED.indexOf(kind);
    return { id: alert.id, group, over: kind === "stalled" ? days - threshold : days };
  });
  ranked.sort((a, b) => a.group - b.group || b.over - a.over || a.id - b.id);
  const urgent: AlertView[] = [];
  for (const { id } of ranked.slice(0, HOME_TOP)) {
    const view = await alertView(ctx, id);
    if (view) urgent.push(view);
  }
  const subscribedKinds = ALERT_KINDS.filter((k) => csm.subscriptions.some((s) => (s.kinds as string[]).includes(k)));
  return {
    csmName: csm.name,
    counts,
    urgent,
    settings: {
      locale: args.locale, digestEnabled: csm.digestEnabled, digestTime: csm.digestTime, timeZone: args.timeZone, subscribedKinds,
      quiet: { from: csm.quietFrom, to: csm.quietTo, weekends: csm.quietWeekends },
    },
  };
}
