import { addDays, daysBetween, fromDate, isoWeekOf, startOfDayIn, type IsoDate } from "../domain/dates.js";
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import { STAGES, stallThreshold, type Stage } from "../domain/stages.js";
import type { TeamCsmRow, TeamStalled, TeamUnassigned, TeamView, TeamWeek } from "../protocol/views.js";
import type { QueryContext } from "./queries.js";

/** Weeks in the stalled series: the current ISO week and the seven before it. */
export const TEAM_WEEKS = 8;
/** Unassigned deployments named on the card (the count covers all of them). */
export const TEAM_UNASSIGNED_TOP = 5;

const zeroCounts = (): Record<AlertKind, number> => Object.fromEntries(ALERT_KINDS.map((k) => [k, 0])) as Record<AlertKind, number>;

/** What LCA shows: active, non-excluded use cases in accounts that are not excluded (as src/queries/scope.ts). */
const SHOWN = `u.active AND NOT u.excluded AND NOT c.excluded`;

/**
 * The partner's team as it stands (the `team` command and the weekly team-space report):
 *
 * - per active CSM, the open alerts on their deployments by kind and their stalled use case
 *   longest past its threshold; the same counts for the whole partner;
 * - the active deployments nobody is assigned to (with a use case LCA shows), the few with
 *   most open alerts first;
 * - the stage funnel: use-case deployments LCA shows, per stage in lifecycle order;
 * - the stalled series: for each of the last 8 ISO weeks (Monday to Sunday in the partner's
 *   TIME_ZONE), the stalled alerts open at the end of that week: opened on an LCA day up to
 *   its Sunday and not resolved before the next Monday's midnight there. The current week
 *   counts those open now. Use cases and accounts excluded now are left out of every week
 *   (what LCA shows today; a use case that has left LCA counts for the weeks it was there).
 *   A week that ended before the bot's first snapshot has no value
 *   (null): the chart leaves it empty and says so, rather than drawing a zero it never saw.
 */
export async function teamView(ctx: QueryContext & { timeZone: string; now: Date }): Promise<TeamView> {
  const { prisma } = ctx;
  const csms = await prisma.csm.findMany({ where: { active: true }, select: { id: true, name: true, email: true }, orderBy: { name: "asc" } });

  const counted = await prisma.$queryRawUnsafe<{ csm_id: number | null; kind: AlertKind; n: number }[]>(
    `SELECT d.assigned_csm_id AS csm_id, a.kind::text AS kind, count(*)::int AS n
     FROM alert a JOIN use_case_deployment u ON u.id = a.use_case_deployment_id
       JOIN deployment d ON d.id = u.deployment_id JOIN customer c ON c.id = d.customer_id
     WHERE a.status = 'open' AND ${SHOWN}
     GROUP BY 1, 2`,
  );
  const totals = zeroCounts();
  const byCsm = new Map<number, Record<AlertKind, number>>();
  for (const row of counted) {
    totals[row.kind] += row.n;
    if (row.csm_id === null) continue;
    const counts = byCsm.get(row.csm_id) ?? zeroCounts();
    counts[row.kind] += row.n;
    byCsm.set(row.csm_id, counts);
  }

  const stalledRows = await prisma.$queryRawUnsafe<
    { csm_id: number | null; cr_party_id: string; customer: string; deployment_id: string; architecture: string; solution_domain: string; name: string; stage: Stage; entered: Date; alert_id: number }[]
  >(
    `SELECT d.assigned_csm_id AS csm_id, c.cr_party_id, c.name AS customer, d.deployment_id, uc.architecture, uc.solution_domain, uc.name,
            u.stage::text AS stage, u.stage_entered_on AS entered, a.id AS alert_id
     FROM alert a JOIN use_case_deployment u ON u.id = a.use_case_deployment_id JOIN use_case uc ON uc.id = u.use_case_id
       JOIN deployment d ON d.id = u.deployment_id JOIN customer c ON c.id = d.customer_id
     WHERE a.status = 'open' AND a.kind = 'stalled' AND d.assigned_csm_id IS NOT NULL AND ${SHOWN}`,
  );
  const oldest = new Map<number, TeamStalled & { alertId: number }>();
  for (const r of stalledRows) {
    const threshold = stallThreshold(ctx.stallThresholds, r.stage, r.solution_domain) ?? 0;
    const daysOver = daysBetween(fromDate(r.entered), ctx.today) - threshold;
    const best = oldest.get(r.csm_id!);
    if (best && (best.daysOver > daysOver || (best.daysOver === daysOver && best.alertId < r.alert_id))) continue;
    oldest.set(r.csm_id!, {
      alertId: r.alert_id,
      customer: { crPartyId: r.cr_party_id, name: r.customer },
      useCase: { architecture: r.architecture, solutionDomain: r.solution_domain, name: r.name },
      deploymentId: r.deployment_id,
      stage: r.stage,
      daysOver,
    });
  }
  const rows: TeamCsmRow[] = csms.map((csm) => {
    const found = oldest.get(csm.id);
    const { alertId: _alertId, ...oldestStalled } = found ?? { alertId: 0 };
    return { name: csm.name, email: csm.email, counts: byCsm.get(csm.id) ?? zeroCounts(), oldestStalled: found ? (oldestStalled as TeamStalled) : null };
  });
  // Most stalled first, then most open alerts, then by name (the query's order).
  const open = (r: TeamCsmRow) => ALERT_KINDS.reduce((n, k) => n + r.counts[k], 0);
  rows.sort((a, b) => b.counts.stalled - a.counts.stalled || open(b) - open(a));

  const unassigned = await prisma.$queryRawUnsafe<{ deployment_id: string; cr_party_id: string; customer: string; open_alerts: number; total: number }[]>(
    `SELECT d.deployment_id, c.cr_party_id, c.name AS customer,
            (SELECT count(*)::int FROM alert a JOIN use_case_deployment u ON u.id = a.use_case_deployment_id
              WHERE u.deployment_id = d.id AND a.status = 'open' AND ${SHOWN}) AS open_alerts,
            count(*) OVER ()::int AS total
     FROM deployment d JOIN customer c ON c.id = d.customer_id
     WHERE d.active AND d.assigned_csm_id IS NULL
       AND EXISTS (SELECT 1 FROM use_case_deployment u WHERE u.deployment_id = d.id AND ${SHOWN})
     ORDER BY open_alerts DESC, d.deployment_id
     LIMIT ${TEAM_UNASSIGNED_TOP}`,
  );
  const top: TeamUnassigned[] = unassigned.map((u) => ({ deploymentId: u.deployment_id, customer: { crPartyId: u.cr_party_id, name: u.customer }, openAlerts: u.open_alerts }));

  const stages = await prisma.$queryRawUnsafe<{ stage: Stage; n: number }[]>(
    `SELECT u.stage::text AS stage, count(*)::int AS n
     FROM use_case_deployment u JOIN deployment d ON d.id = u.deployment_id JOIN customer c ON c.id = d.customer_id
     WHERE ${SHOWN} GROUP BY 1`,
  );
  const perStage = new Map(stages.map((s) => [s.stage, s.n]));

  return {
    date: ctx.today,
    week: isoWeekOf(ctx.today).label,
    csms: rows,
    totals,
    unassigned: { count: unassigned[0]?.total ?? 0, top },
    funnel: STAGES.map((stage) => ({ stage, count: perStage.get(stage) ?? 0 })),
    weeks: await stalledWeeks(ctx),
  };
}

/** The stalled series of the last TEAM_WEEKS ISO weeks (see teamView). */
export async function stalledWeeks(ctx: QueryContext & { timeZone: string; now: Date }): Promise<TeamWeek[]> {
  const { prisma, today, timeZone } = ctx;
  const current = isoWeekOf(today);
  const weeks = Array.from({ length: TEAM_WEEKS }, (_, i) => isoWeekOf(addDays(current.monday, -7 * (TEAM_WEEKS - 1 - i))));
  // The end of a week: the next Monday's midnight in the partner's zone; the current week ends now.
  const ends = weeks.map((w, i) => (i === weeks.length - 1 ? ctx.now : startOfDayIn(timeZone, addDays(w.sunday, 1))));
  const [first] = await prisma.$queryRawUnsafe<{ as_of: Date | null }[]>(`SELECT min(as_of) AS as_of FROM snapshot`);
  const firstSnapshot: IsoDate | null = first?.as_of ? fromDate(first.as_of) : null;
  const alerts = await prisma.$queryRawUnsafe<{ opened_on: Date; resolved_at: Date | null }[]>(
    `SELECT a.opened_on, a.resolved_at
     FROM alert a JOIN use_case_deployment u ON u.id = a.use_case_deployment_id
       JOIN deployment d ON d.id = u.deployment_id JOIN customer c ON c.id = d.customer_id
     WHERE a.kind = 'stalled' AND NOT u.excluded AND NOT c.excluded
       AND a.opened_on <= $1::date AND (a.resolved_at IS NULL OR a.resolved_at >= $2::timestamptz)`,
    today,
    ends[0]!.toISOString(),
  );
  return weeks.map((w, i): TeamWeek => {
    const lastDay = i === weeks.length - 1 ? today : w.sunday;
    if (firstSnapshot === null || lastDay < firstSnapshot) return { week: w.label, monday: w.monday, stalled: null };
    const end = ends[i]!;
    const stalled = alerts.filter((a) => fromDate(a.opened_on) <= lastDay && (a.resolved_at === null || a.resolved_at >= end)).length;
    return { week: w.label, monday: w.monday, stalled };
  });
}
