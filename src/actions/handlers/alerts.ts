import { closesRecommendation, offersRecommendationActions } from "../../domain/recommendations.js";
import { countAlerts } from "../../metrics.js";
import { notice, reply, type Effect } from "../../protocol/effects.js";
import type { LockedAlert } from "../../protocol/store.js";
import { authorOf, type Handler, type HandlerContext } from "./context.js";

/** Acting on an alert's card: a recommended action, a snooze. */

/** Customer and use case, named on a receipt so it says what was acted on. */
export async function receiptSubject(ctx: HandlerContext, alertId: number) {
  const view = await ctx.reads.alertView(alertId);
  return view ? { customer: view.customer.name, useCase: view.useCase.name } : null;
}

/** Someone changed the alert since this card was sent: say who did what, show the current card. */
function conflict(ctx: HandlerContext, alert: LockedAlert): Effect[] {
  const outcome = alert.actedByName ? { key: "alreadyDone" as const, params: { name: alert.actedByName } } : { key: "stale" as const };
  return [reply({ card: "receipt", view: { outcome, actorName: alert.actedByName ?? ctx.actor.name, at: ctx.now().toISOString() } }), { type: "refreshAlert", alertId: alert.id }];
}

export const takeRecommendedAction: Handler<"rec.act"> = async (ctx, e) => {
  const author = authorOf(ctx.actor);
  const result = await ctx.store.transaction(async (tx) => {
    const alert = await tx.lockAlert(e.id);
    if (!alert) return { effects: [notice("error", { key: "chat.errors.notFound" })] };
    if (alert.version !== e.ev) return { effects: conflict(ctx, alert) };
    if (alert.status === "resolved") return { effects: [notice("warning", { key: "chat.errors.alertResolved" }), { type: "refreshAlert", alertId: alert.id } as Effect] };
    // An old card may still carry the six actions; a contact alert is dealt with by the contact.
    if (!offersRecommendationActions(alert.kind)) return { effects: [notice("warning", { key: "chat.errors.contactAlertAction" }), { type: "refreshAlert", alertId: alert.id } as Effect] };
    const closes = closesRecommendation(e.act);
    if (alert.recommendationId !== null) await tx.recordRecommendationAction({ recommendationId: alert.recommendationId, action: e.act, comment: e.comment ?? null, author, closes });
    await tx.markAlertActed({ alertId: alert.id, action: e.act, author, resolves: closes });
    await tx.audit({ author, action: e.a, entity: "alert", entityId: alert.id, before: { status: alert.status, lastAction: alert.lastAction }, after: { status: closes ? "resolved" : "open", lastAction: e.act, comment: e.comment ?? null } });
    return { effects: null, resolvedKind: closes ? alert.kind : undefined };
  });
  if (result.effects) return result.effects;
  if (result.resolvedKind) countAlerts({ opened: {}, resolved: { [result.resolvedKind]: 1 } });
  return [
    reply({ card: "receipt", view: { outcome: { key: "actionRecorded", params: { action: e.act } }, actorName: ctx.actor.name, at: ctx.now().toISOString(), subject: await receiptSubject(ctx, e.id), comment: e.comment ?? null } }),
    { type: "refreshAlert", alertId: e.id },
  ];
};

export const snoozeAlert: Handler<"alert.snooze"> = async (ctx, e) => {
  const author = authorOf(ctx.actor);
  const until = new Date(ctx.now().getTime() + e.days * 86_400_000);
  const refused = await ctx.store.transaction(async (tx): Promise<Effect[] | null> => {
    const alert = await tx.lockAlert(e.id);
    if (!alert) return [notice("error", { key: "chat.errors.notFound" })];
    if (alert.version !== e.ev) return conflict(ctx, alert);
    if (alert.status === "resolved") return [notice("warning", { key: "chat.errors.alertResolved" })];
    await tx.snoozeAlert({ alertId: alert.id, until, author });
    await tx.audit({ author, action: e.a, entity: "alert", entityId: alert.id, before: { snoozedUntil: null }, after: { snoozedUntil: until.toISOString() } });
    return null;
  });
  if (refused) return refused;
  return [
    reply({ card: "receipt", view: { outcome: { key: "snoozed", params: { days: e.days } }, actorName: ctx.actor.name, at: ctx.now().toISOString(), subject: await receiptSubject(ctx, e.id) } }),
    { type: "refreshAlert", alertId: e.id },
  ];
};

/**
 * "Show card" on a summary: the alert's own card, sent by the outbox to where the summary
 * was shown (a team's room, else the person's own space). Nothing else is answered: the card
 * is the answer. A handled alert says so instead.
 */
export const showAlertCard: Handler<"alert.show"> = async (ctx, e) => {
  const destination = ctx.origin ?? { destination: `csm:${ctx.actor.csmId}`, csmId: ctx.actor.csmId };
  const queued = await ctx.store.enqueueAlertCard({ alertId: e.id, chat: ctx.actor.channel, ...destination });
  if (!queued) return [notice("warning", { key: "chat.errors.alertResolved" }), { type: "refreshAlert", alertId: e.id }];
  return [];
};
