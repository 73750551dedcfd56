import type { ListItem, ListKind, ListView, CustomerView, UseCaseDetailView, AlertView, Person } from "../protocol/views.js";
import type { Filters } from "../commands/types.js";
import type { AlertFacts } from "../domain/alerts.js";
import { daysBetween, fromDate } from "../domain/dates.js";
import { dccNeeded, recommendationFor, type AlertKind } from "../domain/recommendations.js";
import { editDistance } from "../commands/text.js";
import { stallThreshold, type Stage } from "../domain/stages.js";
import type { Prisma } from "../generated/prisma/client.js";
import { likeText, pageOf, useCaseWhere } from "./scope.js";
import { ACTIVITY_MAX_ENTRIES, activityOf } from "./activity.js";
import type { QueryContext } from "./context.js";

export type { QueryContext } from "./context.js";

const ucdInclude = {
  useCase: true,
  deployment: { include: { customer: true, assignedCsm: true } },
  contacts: { orderBy: [{ source: "asc" }, { slot: "asc" }] },
  // A contact alert fixed in chat, for the lists' "waiting for LCA" marker.
  alerts: { where: { status: "open", lcaWait: { not: null } }, select: { lcaWait: true }, orderBy: { id: "asc" }, take: 1 },
} satisfies Prisma.UseCaseDeploymentInclude;
type UcdRow = Prisma.UseCaseDeploymentGetPayload<{ include: typeof ucdInclude }>;

const person = (csm: { name: string; email: string } | null | undefined): Person | null => (csm ? { name: csm.name, email: csm.email } : null);

function listItem(row: UcdRow, ctx: QueryContext): ListItem {
  const stage = row.stage as Stage;
  const daysInStage = daysBetween(fromDate(row.stageEnteredOn), ctx.today);
  const threshold = stallThreshold(ctx.stallThresholds, stage, row.useCase.solutionDomain);
  return {
    useCaseId: row.id,
    customer: { crPartyId: row.deployment.customer.crPartyId, name: row.deployment.customer.name },
    deploymentId: row.deployment.deploymentId,
    useCase: { architecture: row.useCase.architecture, solutionDomain: row.useCase.solutionDomain, name: row.useCase.name },
    stage,
    daysInStage,
    threshold,
    stalled: threshold !== null && daysInStage > threshold,
    addedOn: fromDate(row.addedOn),
    assignedCsm: person(row.deployment.assignedCsm),
    lcaUrl: ctx.lcaUrl(row.deployment.deploymentId),
    lcaWait: row.alerts[0]?.lcaWait ?? null,
  };
}

async function listPage(ctx: QueryContext, kind: ListKind, query: string, requestedPage: number, where: Prisma.UseCaseDeploymentWhereInput, orderBy: Prisma.UseCaseDeploymentOrderByWithRelationInput[], decorate?: (row: UcdRow, item: ListItem) => ListItem): Promise<ListView> {
  const total = await ctx.prisma.useCaseDeployment.count({ where });
  const page = pageOf(requestedPage, total);
  const rows = await ctx.prisma.useCaseDeployment.findMany({ where, orderBy, skip: page.skip, take: page.take, include: ucdInclude });
  return {
    kind,
    query,
    page: page.page,
    pageCount: page.pageCount,
    total,
    items: rows.map((row) => (decorate ? decorate(row, listItem(row, ctx)) : listItem(row, ctx))),
  };
}

/** Stalled use cases (an open stalled alert) in the CSM's deployments (or the partner's, or nobody's), longest-stuck first. */
export function stalled(ctx: QueryContext, args: { filters: Filters; page: number; csmId?: number; unassigned?: boolean; query: string }): Promise<ListView> {
  const where: Prisma.UseCaseDeploymentWhereInput = {
    AND: [useCaseWhere(args.filters, args.unassigned ? null : args.csmId), { alerts: { some: { kind: "stalled", status: "open" } } }],
  };
  return listPage(ctx, "stalled", args.query, args.page, where, [{ stageEnteredOn: "asc" }, { id: "asc" }]);
}

/** Use cases added in the last N days (LCA's added date), newest first. */
export function addedRecently(ctx: QueryContext, args: { days: number; filters: Filters; page: number; query: string }): Promise<ListView> {
  const since = new Date(`${ctx.today}T00:00:00Z`);
  since.setUTCDate(since.getUTCDate() - args.days);
  const where: Prisma.UseCaseDeploymentWhereInput = { AND: [useCaseWhere(args.filters), { addedOn: { gte: since } }] };
  return listPage(ctx, "new", args.query, args.page, where, [{ addedOn: "desc" }, { id: "asc" }]);
}

/** Use cases with a bounced, unsubscribed or missing contact (open contact alerts). */
export function contactProblems(ctx: QueryContext, args: { filters: Filters; page: number; csmId?: number; unassigned?: boolean; query: string }): Promise<ListView> {
  const where: Prisma.UseCaseDeploymentWhereInput = {
    AND: [useCaseWhere(args.filters, args.unassigned ? null : args.csmId), { alerts: { some: { kind: { in: ["bounced_contact", "missing_contact"] }, status: "open" } } }],
  };
  return listPage(ctx, "contacts", args.query, args.page, where, [{ id: "asc" }], (row, item) => {
    const barred = row.contacts.find((c) => c.deliveryBarrier !== "none");
    const usable = row.contacts.some((c) => c.deliveryBarrier === "none");
    return { ...item, contact: !usable || !barred ? { email: barred?.email ?? null, name: barred?.name ?? null, barrier: "missing" } : { email: barred.email, name: barred.name, barrier: barred.deliveryBarrier } };
  });
}

/** The CSM's deployments' use cases, most urgent (longest in stage) first. */
export function mine(ctx: QueryContext, args: { filters: Filters; page: number; csmId: number; query: string }): Promise<ListView> {
  return listPage(ctx, "mine", args.query, args.page, useCaseWhere(args.filters, args.csmId), [{ stageEnteredOn: "asc" }, { id: "asc" }]);
}

/** One customer by CR Party ID, else by name (exact, then prefix, then contains, then fuzzy). */
export async function findCustomer(ctx: QueryContext, query: string): Promise<{ found: CustomerView } | { candidates: { crPartyId: string; name: string }[] }> {
  const q = query.trim();
  const include = { deployments: { where: { active: true }, orderBy: { deploymentId: "asc" as const }, include: { assignedCsm: true, useCases: { where: { active: true, excluded: false }, include: { useCase: true }, orderBy: { id: "asc" as const } } } } };
  let customer = await ctx.prisma.customer.findUnique({ where: { crPartyId: q }, include });
  if (!customer) {
    const matches = await ctx.prisma.customer.findMany({ where: { name: { contains: likeText(q), mode: "insensitive" } }, orderBy: { name: "asc" }, take: 10 });
    const exact = matches.find((m) => m.name.toLowerCase() === q.toLowerCase());
    const chosen = exact ?? (matches.length === 1 ? matches[0] : undefined);
    if (chosen) customer = await ctx.prisma.customer.findUnique({ where: { id: chosen.id }, include });
    else if (matches.length > 1) return { candidates: matches.map((m) => ({ crPartyId: m.crPartyId, name: m.name })) };
    else return { candidates: await fuzzyCustomers(ctx, q) };
  }
  if (!customer) return { candidates: [] };
  return {
    found: {
      customer: { crPartyId: customer.crPartyId, name: customer.name, cxbu: customer.cxbu, ea: customer.ea, theater: customer.theater },
      deployments: customer.deployments.map((d) => ({
        rowId: d.id,
        deploymentId: d.deploymentId,
        installSite: d.installSite,
        assignedCsm: person(d.assignedCsm),
        lead: d.lead,
        useCases: d.useCases.map((u) => {
          const stage = u.stage as Stage;
          const daysInStage = daysBetween(fromDate(u.stageEnteredOn), ctx.today);
          const threshold = stallThreshold(ctx.stallThresholds, stage, u.useCase.solutionDomain);
          return { id: u.id, architecture: u.useCase.architecture, solutionDomain: u.useCase.solutionDomain, name: u.useCase.name, stage, daysInStage, threshold, stalled: threshold !== null && daysInStage > threshold, cpiEligible: u.cpiEligible, dccNeeded: dccNeeded({ telemetry: u.telemetry, dcc: u.dcc, multiPartner: customer!.multiPartner }) };
        }),
      })),
      lcaUrl: customer.deployments[0] ? ctx.lcaUrl(customer.deployments[0].deploymentId) : null,
    },
  };
}

/** Names close to a misspelt query (trigram-free: edit distance over the partner's customers). */
async function fuzzyCustomers(ctx: QueryContext, query: string): Promise<{ crPartyId: string; name: string }[]> {
  const all = await ctx.prisma.customer.findMany({ where: { active: true }, select: { crPartyId: true, name: true } });
  const q = query.toLowerCase();
  const score = (name: string) => Math.min(...name.toLowerCase().split(/\s+/).map((word) => editDistance(word, q)), editDistance(name.toLowerCase(), q));
  return all
    .map((c) => ({ ...c, d: score(c.name) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(q.length / 3)))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, 5)
    .map(({ crPartyId, name }) => ({ crPartyId, name }));
}

/**
 * The use-case deployment a card names: a Deployment ID and, when the deployment has
 * several, the use case's name (case and spacing aside; its full path, a unique part of it,
 * or a near spelling will do). Tells which use cases there are when it cannot choose.
 */
export async function findUseCase(
  ctx: QueryContext,
  deploymentId: string,
  name?: string,
): Promise<{ id: number } | { noDeployment: true } | { choose: string[] } | { noMatch: string[] }> {
  const deployment = await ctx.prisma.deployment.findFirst({
    where: { deploymentId: { equals: deploymentId, mode: "insensitive" }, active: true },
    include: { useCases: { where: { active: true, excluded: false }, include: { useCase: true }, orderBy: { id: "asc" } } },
  });
  if (!deployment) return { noDeployment: true };
  const useCases = deployment.useCases.map((u) => ({ id: u.id, name: u.useCase.name, path: `${u.useCase.architecture} / ${u.useCase.solutionDomain} / ${u.useCase.name}` }));
  const names = useCases.map((u) => u.name);
  if (useCases.length === 0) return { noMatch: [] };
  const norm = (text: string) => text.toLowerCase().replaceAll("ё", "е").replace(/\s*\/\s*/g, " / ").replace(/\s+/g, " ").trim();
  if (name === undefined || name.trim() === "") return useCases.length === 1 ? { id: useCases[0]!.id } : { choose: names };
  const q = norm(name);
  const exact = useCases.filter((u) => norm(u.name) === q || norm(u.path) === q);
  if (exact.length === 1) return { id: exact[0]!.id };
  const containing = useCases.filter((u) => norm(u.path).includes(q));
  if (containing.length === 1) return { id: containing[0]!.id };
  if (containing.length > 1) return { choose: containing.map((u) => u.name) };
  const near = useCases.filter((u) => editDistance(norm(u.name), q) <= Math.max(1, Math.floor(q.length / 8)));
  if (near.length === 1) return { id: near[0]!.id };
  return { noMatch: names };
}

/** One use-case deployment with its contacts, stage history, open alert and recommendation. */
export async function useCaseDetail(ctx: QueryContext, id: number): Promise<UseCaseDetailView | null> {
  const row = await ctx.prisma.useCaseDeployment.findUnique({
    where: { id },
    include: {
      ...ucdInclude,
      stageHistory: { orderBy: { id: "asc" } },
      lcaChanges: { where: { status: { in: ["pending", "stale"] } }, select: { field: true } },
      alerts: { where: { status: "open" }, orderBy: { id: "desc" }, include: { recommendation: { include: { actions: { include: { csm: true }, orderBy: { id: "asc" } } } } } },
    },
  });
  if (!row) return null;
  const item = listItem(row, ctx);
  const open = row.alerts[0];
  return {
    customer: item.customer,
    deployment: { rowId: row.deployment.id, deploymentId: row.deployment.deploymentId, version: row.deployment.version, installSite: row.deployment.installSite, assignedCsm: item.assignedCsm ?? null, lead: row.deployment.lead },
    useCase: {
      ...item.useCase, id: row.id, version: row.version, stage: item.stage, stageEnteredOn: fromDate(row.stageEnteredOn), addedOn: fromDate(row.addedOn),
      telemetry: row.telemetry, tags: row.tags, cpiEligible: row.cpiEligible, dcc: row.dcc, multiPartner: row.deployment.customer.multiPartner,
      adoptionPartner: row.adoptionPartner, renewalOn: row.renewalOn ? fromDate(row.renewalOn) : null, excluded: row.excluded,
    },
    daysInStage: item.daysInStage,
    threshold: item.threshold ?? null,
    stalled: item.stalled ?? false,
    contacts: row.contacts.map((c) => ({
      source: c.source, slot: c.slot, name: c.name, email: c.email, barrier: c.deliveryBarrier,
      waitingForLca: c.source === "partner" && row.lcaChanges.some((p) => p.field.startsWith(`partner_contact_${c.slot}_`)),
    })),
    recommendation: open?.recommendation
      ? {
          kind: recommendationFor(open.kind as AlertKind, { telemetry: row.telemetry, dcc: row.dcc, multiPartner: row.deployment.customer.multiPartner }),
          status: open.recommendation.status,
          actions: open.recommendation.actions.map((a) => ({ action: a.action, by: a.csm.name, at: a.createdAt.toISOString(), comment: a.comment })),
        }
      : null,
    openAlert: open ? { alertId: open.id, version: open.version, kind: open.kind as AlertKind } : null,
    history: row.stageHistory.map((h) => ({ fromStage: h.fromStage as Stage | null, toStage: h.toStage as Stage, enteredOn: fromDate(h.enteredOn) })),
    activity: await activityOf(ctx, [row.id], ACTIVITY_MAX_ENTRIES),
    lcaUrl: ctx.lcaUrl(row.deployment.deploymentId),
  };
}

/** The card of one alert as it stands now (for delivery and after an action). */
export async function alertView(ctx: QueryContext, alertId: number): Promise<AlertView | null> {
  const alert = await ctx.prisma.alert.findUnique({ where: { id: alertId }, include: alertInclude });
  return alert ? alertViewOf(alert, ctx) : null;
}

/**
 * The cards of many alerts in one read (the dispatcher's claimed batch): Prisma's cost is
 * per query far more than per row, so a batch of 200 costs about what 10 single reads do.
 * Unknown ids are absent.
 */
export async function alertViews(ctx: QueryContext, alertIds: readonly number[]): Promise<Map<number, AlertView>> {
  if (alertIds.length === 0) return new Map();
  const alerts = await ctx.prisma.alert.findMany({ where: { id: { in: [...new Set(alertIds)] } }, include: alertInclude });
  return new Map(alerts.map((alert) => [alert.id, alertViewOf(alert, ctx)]));
}

const alertInclude = { actedBy: true, useCaseDeployment: { include: ucdInclude } } satisfies Prisma.AlertInclude;

function alertViewOf(alert: Prisma.AlertGetPayload<{ include: typeof alertInclude }>, ctx: QueryContext): AlertView {
  const row = alert.useCaseDeployment;
  const item = listItem(row, ctx);
  const facts = alert.facts as unknown as AlertFacts;
  const daysInStage = item.daysInStage;
  return {
    alertId: alert.id,
    alertVersion: alert.version,
    kind: alert.kind as AlertKind,
    reminder: alert.reminderCount,
    facts: {
      stage: item.stage,
      daysInStage,
      threshold: item.threshold ?? null,
      ...(facts.kind === "regression" ? { fromStage: facts.fromStage, toStage: facts.toStage } : {}),
      ...(facts.kind === "bounced_contact"
        ? { contactEmail: facts.email, barrier: facts.barrier, ...(facts.source === "partner" ? { contactSlot: facts.slot as 1 | 2 } : {}) }
        : {}),
    },
    customer: item.customer,
    deployment: { rowId: row.deployment.id, deploymentId: row.deployment.deploymentId, version: row.deployment.version, installSite: row.deployment.installSite, assignedCsm: item.assignedCsm ?? null, lead: row.deployment.lead },
    useCase: { ...item.useCase, id: row.id, version: row.version, stage: item.stage, stageEnteredOn: fromDate(row.stageEnteredOn), addedOn: fromDate(row.addedOn), telemetry: row.telemetry, tags: row.tags, cpiEligible: row.cpiEligible, dcc: row.dcc, multiPartner: row.deployment.customer.multiPartner },
    lcaUrl: ctx.lcaUrl(row.deployment.deploymentId),
    lcaWait: alert.status === "open" ? alert.lcaWait : null,
    state: {
      status: alert.status,
      ...(alert.actedBy ? { actedBy: alert.actedBy.name } : {}),
      ...(alert.lastAction ? { lastAction: alert.lastAction } : {}),
      ...(alert.actedAt ? { at: alert.actedAt.toISOString() } : {}),
    },
  };
}
