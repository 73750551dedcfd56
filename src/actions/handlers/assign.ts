import { inPartnerDomains } from "../../domain/contacts.js";
import { mayAssignOthers } from "../identity.js";
import { notice, reply, type Effect } from "../../protocol/effects.js";
import { receiptSubject } from "./alerts.js";
import { authorOf, type Handler, type HandlerContext } from "./context.js";

/** Who looks after a deployment: the assign button and the `assign` command. */

/** Assigns a deployment to the actor, or (admins and team leads only) to another CSM of the partner. */
async function assignDeployment(ctx: HandlerContext, target: { rowId: number; version?: number; to?: string; alertId?: number }): Promise<Effect[]> {
  const toEmail = target.to?.trim().toLowerCase();
  const forSomeoneElse = toEmail !== undefined && toEmail !== ctx.actor.email;
  if (forSomeoneElse && !mayAssignOthers(ctx.actor)) return [notice("error", { key: "chat.errors.notAdminAssign" })];
  const domains = ctx.config.partner.domains;
  if (forSomeoneElse && !inPartnerDomains(toEmail, domains)) {
    return [notice("error", { key: "chat.errors.assigneeOutsidePartner", params: { email: toEmail, domains: domains.join(", ") } })];
  }
  const author = authorOf(ctx.actor);
  const at = () => ctx.now().toISOString();
  const result = await ctx.store.transaction(async (tx) => {
    const deployment = await tx.lockDeployment(target.rowId);
    if (!deployment) return { effects: [notice("error", { key: "chat.errors.notFound" })] };
    let assigneeId = ctx.actor.csmId;
    let assigneeName = ctx.actor.name;
    let assigneeEmail = ctx.actor.email;
    if (forSomeoneElse) {
      const csm = await tx.findActiveCsm(toEmail);
      // findActiveCsm reads the CSM table, which holds only the partner's people; checked again above by domain.
      if (!csm) return { effects: [notice("error", { key: "chat.errors.unknownCsm", params: { email: toEmail } })] };
      assigneeId = csm.id;
      assigneeName = csm.name;
      assigneeEmail = toEmail;
    }
    if (deployment.assignedCsmId === assigneeId) {
      return { effects: [reply({ card: "receipt", view: { outcome: { key: "alreadyDone", params: { name: assigneeName } }, actorName: ctx.actor.name, at: at() } })] };
    }
    if (target.version !== undefined && deployment.version !== target.version) {
      const outcome = deployment.assigneeName ? { key: "alreadyDone" as const, params: { name: deployment.assigneeName } } : { key: "stale" as const };
      // The clicked card is out of date: redraw it so nobody acts on it again.
      const refresh: Effect[] = target.alertId ? [{ type: "refreshAlert", alertId: target.alertId }] : [];
      return { effects: [reply({ card: "receipt", view: { outcome, actorName: deployment.assigneeName ?? ctx.actor.name, at: at() } }), ...refresh] };
    }
    // The CSM lives at deployment level in LCA: one pending change, recorded before the assignment.
    const { recorded: waiting } = await tx.recordPendingLcaChange({ subject: { deploymentRowId: deployment.id }, field: "csm_email", valueChat: assigneeEmail, author, at: ctx.now() });
    const alerts = await tx.assignDeployment({ rowId: deployment.id, assigneeId, author });
    await tx.audit({ author, action: "usecase.assign", entity: "deployment", entityId: deployment.deploymentId, before: { assignedCsmId: deployment.assignedCsmId }, after: { assignedCsmId: assigneeId } });
    return { effects: null, assigneeName, alerts, waiting };
  });
  if (result.effects) return result.effects;
  const subject = target.alertId ? await receiptSubject(ctx, target.alertId) : null;
  return [
    reply({ card: "receipt", view: { outcome: { key: result.waiting ? "assignedPending" : "assigned", params: { name: result.assigneeName } }, actorName: ctx.actor.name, at: at(), subject } }),
    ...result.alerts.map((alertId): Effect => ({ type: "refreshAlert", alertId })),
  ];
}

export const assignButton: Handler<"usecase.assign"> = (ctx, e) => assignDeployment(ctx, { rowId: e.id, version: e.ev, to: e.to, alertId: e.al });

export const assignCommand: Handler<"assign"> = async (ctx, { command: c }) => {
  const deployment = await ctx.store.findActiveDeployment(c.deploymentId);
  if (!deployment) return [notice("warning", { key: "chat.errors.deploymentNotFound", params: { deploymentId: c.deploymentId } })];
  return assignDeployment(ctx, { rowId: deployment.id, ...(c.to === "me" ? {} : { to: c.to.email }) });
};
