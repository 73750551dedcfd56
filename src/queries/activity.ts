import { ACTIVITY_ACTIONS, type ActivityAction, type ActivityEntry, type ActivityView, type HistoryView } from "../protocol/views.js";
import type { ChatName } from "../protocol/chats.js";
import type { QueryContext } from "./context.js";

/**
 * The Activity of use cases, read from the audit trail: who did what, when, from which chat,
 * with the comment or note, newest first. An audit row is about an alert (rec.act,
 * alert.snooze, alert.note, alert.escalated), a contact slot of a use case (contact.update,
 * `<use case id>:partner:<slot>`) or a deployment (usecase.assign, by its Deployment ID); all
 * three lead back to the use cases asked for. Refusals and settings are not activity.
 */

/** At most this many entries on the use-case card; the rest are counted. */
export const ACTIVITY_MAX_ENTRIES = 10;
/** At most this many entries in an answer to `history`; the rest are counted. */
export const HISTORY_MAX_ENTRIES = 20;

interface Row {
  at: Date;
  by_name: string | null;
  channel: ChatName | "cli" | null;
  action: ActivityAction;
  after: Record<string, unknown> | null;
  use_case: string | null;
  assignee: string | null;
  total: number;
}

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null);

/** The activity of these use-case deployments and of their deployments, newest first, `limit` entries and a count of the older ones. */
export async function activityOf(ctx: Pick<QueryContext, "prisma">, useCaseIds: readonly number[], limit: number): Promise<ActivityView> {
  if (useCaseIds.length === 0) return { entries: [], older: 0 };
  const rows = await ctx.prisma.$queryRawUnsafe<Row[]>(
    `WITH ucd AS (
       SELECT x.id, x.deployment_id, u.name AS use_case FROM use_case_deployment x JOIN use_case u ON u.id = x.use_case_id WHERE x.id = ANY($1::int[])
     ), dep AS (
       SELECT DISTINCT d.id, d.deployment_id FROM deployment d JOIN ucd ON ucd.deployment_id = d.id
     ), hits AS (
       SELECT e.id, ucd.use_case FROM ucd JOIN alert a ON a.use_case_deployment_id = ucd.id
       JOIN audit_entry e ON e.entity = 'alert' AND e.entity_id = a.id::text
       UNION ALL
       SELECT e.id, ucd.use_case FROM ucd JOIN audit_entry e ON e.entity = 'contact' AND e.entity_id LIKE ucd.id::text || ':%'
       UNION ALL
       SELECT e.id, NULL FROM dep JOIN audit_entry e ON e.entity = 'deployment' AND e.entity_id = dep.deployment_id
     )
     SELECT e.at, c.name AS by_name, e.channel::text AS channel, e.action, e.after, h.use_case, ac.name AS assignee,
            (count(*) OVER ())::int AS total
     FROM hits h JOIN audit_entry e ON e.id = h.id
     LEFT JOIN csm c ON c.id = e.csm_id
     LEFT JOIN csm ac ON e.action = 'usecase.assign' AND ac.id::text = e.after->>'assignedCsmId'
     WHERE e.action = ANY($2::text[])
     ORDER BY e.at DESC, e.id DESC
     LIMIT $3`,
    [...useCaseIds],
    [...ACTIVITY_ACTIONS],
    limit,
  );
  const total = rows[0]?.total ?? 0;
  return { entries: rows.map(entryOf), older: Math.max(0, total - rows.length) };
}

function entryOf(row: Row): ActivityEntry {
  const after = row.after ?? {};
  const detail: Record<ActivityAction, string | null> = {
    "rec.act": str(after.lastAction),
    "contact.update": str(after.email),
    "usecase.assign": row.assignee,
    "alert.snooze": str(after.snoozedUntil),
    "alert.note": null,
    "alert.escalated": str(after.step),
  };
  const comment = row.action === "alert.note" ? str(after.note) : row.action === "rec.act" ? str(after.comment) : null;
  return {
    at: row.at.toISOString(),
    by: row.by_name,
    action: row.action,
    detail: detail[row.action],
    // The command line is no chat of a person's; a row without a channel is the bot's.
    chat: row.channel === null || row.channel === "cli" ? null : row.channel,
    comment,
    useCase: row.use_case,
  };
}

/** The use cases a history covers: the deployment's or the customer's, as LCA shows them (not excluded). */
async function historyUseCases(ctx: QueryContext, where: { deploymentRowId: number } | { customerId: number }) {
  return ctx.prisma.useCaseDeployment.findMany({
    where: { excluded: false, deployment: "deploymentRowId" in where ? { id: where.deploymentRowId } : { customerId: where.customerId } },
    select: { id: true },
  });
}

/** The `history` of a deployment by its Deployment ID (any case); null: no active deployment has it. */
export async function deploymentHistory(ctx: QueryContext, deploymentId: string, limit = HISTORY_MAX_ENTRIES): Promise<HistoryView | null> {
  const deployment = await ctx.prisma.deployment.findFirst({ where: { deploymentId: { equals: deploymentId, mode: "insensitive" }, active: true }, include: { customer: true } });
  if (!deployment) return null;
  const ids = (await historyUseCases(ctx, { deploymentRowId: deployment.id })).map((u) => u.id);
  return {
    customer: { crPartyId: deployment.customer.crPartyId, name: deployment.customer.name },
    deploymentId: deployment.deploymentId,
    activity: await activityOf(ctx, ids, limit),
  };
}

/** The `history` of every deployment of a customer (by CR Party ID); null: no such customer. */
export async function customerHistory(ctx: QueryContext, crPartyId: string, limit = HISTORY_MAX_ENTRIES): Promise<HistoryView | null> {
  const customer = await ctx.prisma.customer.findUnique({ where: { crPartyId } });
  if (!customer) return null;
  const ids = (await historyUseCases(ctx, { customerId: customer.id })).map((u) => u.id);
  return { customer: { crPartyId: customer.crPartyId, name: customer.name }, deploymentId: null, activity: await activityOf(ctx, ids, limit) };
}
