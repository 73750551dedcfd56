import { reevaluateUseCases } from "../alerts/engine.js";
import { inTransaction, type Queryable } from "../db/sql.js";
import { checkContactChange, inPartnerDomains, type ContactRefusal } from "../domain/contacts.js";
import { todayIn } from "../domain/dates.js";
import { closesRecommendation, type AlertKind } from "../domain/recommendations.js";
import { countAlerts } from "../metrics.js";
import type { MessageKey, MessageParams } from "../i18n.js";
import { formCard } from "../queries/forms.js";
import { alertView } from "../queries/queries.js";
import { writeAudit } from "./audit.js";
import { queryContext, type ConversationDeps } from "./context.js";
import { notice, reply, type Effect } from "../protocol/effects.js";
import type { ActionName, Envelope } from "../protocol/envelope.js";
import type { Actor } from "./identity.js";

export interface ActionContext {
  deps: ConversationDeps;
  actor: Actor;
}

type Handler<A extends ActionName> = (ctx: ActionContext, envelope: Extract<Envelope, { a: A }>) => Promise<Effect[]>;

/** Paging re-runs a list command, which the conversation module owns; every other action is here. */
export type DataAction = Exclude<ActionName, "list.page">;

/** One handler per action: a missing one fails the type check, not a user's click. */
export const ACTION_HANDLERS: { [A in DataAction]: Handler<A> } = {
  "rec.act": takeRecommendedAction,
  "contact.update": updateContact,
  "usecase.assign": (ctx, e) => assignDeployment(ctx, { rowId: e.id, version: e.ev, to: e.to, alertId: e.al }),
  "alert.snooze": snoozeAlert,
  "form.open": openForm,
};

/** A form drawn from the current data; its submit comes back as the action it names. */
async function openForm(ctx: ActionContext, e: Extract<Envelope, { a: "form.open" }>): Promise<Effect[]> {
  const card = await formCard(queryContext(ctx.deps), { submits: e.f, id: e.id, ev: e.ev, slot: e.slot }, ctx.actor.isAdmin);
  return card ? [{ type: "form", card, submits: e.f }] : [notice("warning", { key: "chat.errors.notFound" })];
}

const receiptSubject = async (ctx: ActionContext, alertId: number) => {
  const view = await alertView(queryContext(ctx.deps), alertId);
  return view ? { customer: view.customer.name, useCase: view.useCase.name } : null;
};

interface AlertRow {
  id: number;
  kind: AlertKind;
  version: number;
  status: "open" | "resolved";
  recommendation_id: number | null;
  acted_by_name: string | null;
  last_action: string | null;
}

async function lockAlert(client: Queryable, id: number): Promise<AlertRow | undefined> {
  const { rows } = await client.query<AlertRow>(
    `SELECT a.id, a.kind, a.version, a.status, a.recommendation_id, c.name AS acted_by_name, a.last_action
     FROM alert a LEFT JOIN csm c ON c.id = a.acted_by_id WHERE a.id = $1 FOR UPDATE OF a`,
    [id],
  );
  return rows[0];
}

/** Someone changed the alert since this card was sent: say who did what, show the current card. */
function conflict(ctx: ActionContext, alert: AlertRow): Effect[] {
  const outcome = alert.acted_by_name ? { key: "alreadyDone" as const, params: { name: alert.acted_by_name } } : { key: "stale" as const };
  return [reply({ card: "receipt", view: { outcome, actorName: alert.acted_by_name ?? ctx.actor.name, at: ctx.deps.now().toISOString() } }), { type: "refreshAlert", alertId: alert.id }];
}

async function takeRecommendedAction(ctx: ActionContext, e: Extract<Envelope, { a: "rec.act" }>): Promise<Effect[]> {
  const result = await inTransaction(ctx.deps.db.pool, async (client) => {
    const alert = await lockAlert(client, e.id);
    if (!alert) return { effects: [notice("error", { key: "chat.errors.notFound" })] };
    if (alert.version !== e.ev) return { effects: conflict(ctx, alert) };
    if (alert.status === "resolved") return { effects: [notice("warning", { key: "chat.errors.alertResolved" }), { type: "refreshAlert", alertId: alert.id } as Effect] };
    const closes = closesRecommendation(e.act);
    if (alert.recommendation_id !== null) {
      await client.query(`INSERT INTO recommendation_action (recommendation_id, action, comment, csm_id, channel) VALUES ($1, $2, $3, $4, $5)`, [alert.recommendation_id, e.act, e.comment ?? null, ctx.actor.csmId, ctx.actor.channel]);
      if (closes) await client.query(`UPDATE recommendation SET status = 'closed', closed_at = now() WHERE id = $1`, [alert.recommendation_id]);
    }
    await client.query(
      `UPDATE alert SET acted_by_id = $2, acted_at = now(), last_action = $3, version = version + 1,
         status = CASE WHEN $4 THEN 'resolved'::"AlertStatus" ELSE status END,
         resolved_at = CASE WHEN $4 THEN now() ELSE resolved_at END,
         resolution = CASE WHEN $4 THEN 'closed_by_action' ELSE resolution END
       WHERE id = $1`,
      [alert.id, ctx.actor.csmId, e.act, closes],
    );
    await writeAudit(client, ctx.actor, e.a, "alert", alert.id, { status: alert.status, lastAction: alert.last_action }, { status: closes ? "resolved" : "open", lastAction: e.act, comment: e.comment ?? null });
    return { effects: null, resolvedKind: closes ? alert.kind : undefined };
  });
  if (result.effects) return result.effects;
  if (result.resolvedKind) countAlerts({ opened: {}, resolved: { [result.resolvedKind]: 1 } });
  return [
    reply({ card: "receipt", view: { outcome: { key: "actionRecorded", params: { action: e.act } }, actorName: ctx.actor.name, at: ctx.deps.now().toISOString(), subject: await receiptSubject(ctx, e.id), comment: e.comment ?? null } }),
    { type: "refreshAlert", alertId: e.id },
  ];
}

async function snoozeAlert(ctx: ActionContext, e: Extract<Envelope, { a: "alert.snooze" }>): Promise<Effect[]> {
  const until = new Date(ctx.deps.now().getTime() + e.days * 86_400_000);
  const effects = await inTransaction(ctx.deps.db.pool, async (client) => {
    const alert = await lockAlert(client, e.id);
    if (!alert) return [notice("error", { key: "chat.errors.notFound" })];
    if (alert.version !== e.ev) return conflict(ctx, alert);
    if (alert.status === "resolved") return [notice("warning", { key: "chat.errors.alertResolved" })];
    await client.query(`UPDATE alert SET snoozed_until = $2, acted_by_id = $3, acted_at = now(), last_action = 'snoozed', version = version + 1 WHERE id = $1`, [alert.id, until, ctx.actor.csmId]);
    await writeAudit(client, ctx.actor, e.a, "alert", alert.id, { snoozedUntil: null }, { snoozedUntil: until.toISOString() });
    return null;
  });
  if (effects) return effects;
  return [
    reply({ card: "receipt", view: { outcome: { key: "snoozed", params: { days: e.days } }, actorName: ctx.actor.name, at: ctx.deps.now().toISOString(), subject: await receiptSubject(ctx, e.id) } }),
    { type: "refreshAlert", alertId: e.id },
  ];
}

const CONTACT_FIELD_ERRORS: Record<string, { field: string; key: MessageKey }> = {
  invalidEmail: { field: "email", key: "chat.contact.invalidEmail" },
  partnerDomain: { field: "email", key: "chat.contact.partnerDomain" },
  knownBarred: { field: "email", key: "chat.contact.knownBarred" },
  tooManyPartnerContacts: { field: "slot", key: "chat.contact.tooManyPartnerContacts" },
  ciscoReadOnly: { field: "slot", key: "chat.contact.ciscoReadOnly" },
};

/** A refusal's facts as message parameters: a barrier by its name in the reader's language, a maximum as the plural's count. */
function refusalParams(refusal: ContactRefusal): MessageParams {
  switch (refusal.rule) {
    case "knownBarred":
      return { barrier: { key: `cards.barrier.${refusal.barrier}` } };
    case "tooManyPartnerContacts":
      return { count: refusal.max };
    default: {
      const { rule: _rule, ...params } = refusal;
      return params as MessageParams;
    }
  }
}

async function updateContact(ctx: ActionContext, e: Extract<Envelope, { a: "contact.update" }>): Promise<Effect[]> {
  const { config } = ctx.deps;
  const outcome = await inTransaction(ctx.deps.db.pool, async (client) => {
    const { rows: [ucd] } = await client.query<{ id: number; version: number }>(`SELECT id, version FROM use_case_deployment WHERE id = $1 AND active FOR UPDATE`, [e.id]);
    if (!ucd) return { effects: [notice("error", { key: "chat.errors.notFound" })] };
    const { rows: contacts } = await client.query<{ source: string; slot: number; email: string; name: string | null; delivery_barrier: string }>(
      `SELECT source, slot, email, name, delivery_barrier FROM contact WHERE use_case_deployment_id = $1`, [e.id]);
    const email = e.email.trim().toLowerCase();
    const { rows: known } = await client.query<{ delivery_barrier: "none" | "hard_bounce" | "unsubscribed" }>(
      `SELECT delivery_barrier FROM contact WHERE email = $1 ORDER BY (delivery_barrier <> 'none') DESC LIMIT 1`, [email]);
    const check = checkContactChange({
      email,
      slot: e.slot,
      partnerDomains: config.partner.domains,
      usedPartnerSlots: contacts.filter((c) => c.source === "partner").map((c) => c.slot),
      knownBarrier: known[0]?.delivery_barrier,
    });
    if (!check.ok) {
      const { refusal } = check;
      const { field, key } = CONTACT_FIELD_ERRORS[refusal.rule]!;
      const message = { key, params: refusalParams(refusal) };
      return { effects: [{ type: "fieldErrors", errors: { [field]: message } } as Effect, notice("error", message)] };
    }
    if (ucd.version !== e.ev) {
      const { rows: stale } = await client.query<{ id: number }>(`SELECT id FROM alert WHERE use_case_deployment_id = $1 AND status = 'open'`, [e.id]);
      return { effects: [reply({ card: "receipt", view: { outcome: { key: "stale" }, actorName: ctx.actor.name, at: ctx.deps.now().toISOString() } }), ...stale.map((a): Effect => ({ type: "refreshAlert", alertId: a.id }))] };
    }
    const before = contacts.find((c) => c.source === "partner" && c.slot === check.slot) ?? null;
    await client.query(
      `INSERT INTO contact (use_case_deployment_id, source, slot, name, email, delivery_barrier, updated_at)
       VALUES ($1, 'partner', $2, $3, $4, 'none', now())
       ON CONFLICT (use_case_deployment_id, source, slot) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, delivery_barrier = 'none', updated_at = now()`,
      [e.id, check.slot, e.name ?? null, email],
    );
    await client.query(`UPDATE use_case_deployment SET version = version + 1 WHERE id = $1`, [e.id]);
    await writeAudit(client, ctx.actor, e.a, "contact", `${e.id}:partner:${check.slot}`, before, { email, name: e.name ?? null, slot: check.slot });
    // A usable contact resolves the contact alerts at once.
    const { rows: touched } = await client.query<{ id: number }>(
      `SELECT id FROM alert WHERE use_case_deployment_id = $1 AND status = 'open' AND kind IN ('bounced_contact', 'missing_contact')`, [e.id]);
    await client.query(`UPDATE alert SET acted_by_id = $2, acted_at = now(), last_action = 'contact_updated' WHERE id = ANY($1)`, [touched.map((t) => t.id), ctx.actor.csmId]);
    const changes = await reevaluateUseCases(client, [e.id], {
      rules: { asOf: todayIn(config.partner.timeZone, ctx.deps.now()), stallThresholds: config.alerts.stallThresholds, newWindowDays: 30 },
      reminderDays: config.alerts.reminderDays,
      baseline: false,
    });
    return { effects: null, touched: touched.map((t) => t.id), changes };
  });
  if (outcome.effects) return outcome.effects;
  if (outcome.changes) countAlerts(outcome.changes);
  return [
    reply({ card: "receipt", view: { outcome: { key: "contactUpdated", params: { email: e.email.trim().toLowerCase() } }, actorName: ctx.actor.name, at: ctx.deps.now().toISOString() } }),
    ...(outcome.touched ?? []).map((alertId): Effect => ({ type: "refreshAlert", alertId })),
  ];
}

/** Assigns a deployment to the actor, or (admins only) to another CSM. Shared by the button and `assign`. */
export async function assignDeployment(ctx: ActionContext, target: { rowId: number; version?: number; to?: string; alertId?: number }): Promise<Effect[]> {
  const toEmail = target.to?.trim().toLowerCase();
  const forSomeoneElse = toEmail !== undefined && toEmail !== ctx.actor.email;
  if (forSomeoneElse && !ctx.actor.isAdmin) return [notice("error", { key: "chat.errors.notAdminAssign" })];
  const domains = ctx.deps.config.partner.domains;
  if (forSomeoneElse && !inPartnerDomains(toEmail, domains)) {
    return [notice("error", { key: "chat.errors.assigneeOutsidePartner", params: { email: toEmail, domains: domains.join(", ") } })];
  }
  const result = await inTransaction(ctx.deps.db.pool, async (client) => {
    const { rows: [deployment] } = await client.query<{ id: number; version: number; assigned_csm_id: number | null; assignee_name: string | null; deployment_id: string }>(
      `SELECT d.id, d.version, d.assigned_csm_id, c.name AS assignee_name, d.deployment_id FROM deployment d LEFT JOIN csm c ON c.id = d.assigned_csm_id WHERE d.id = $1 AND d.active FOR UPDATE OF d`,
      [target.rowId],
    );
    if (!deployment) return { effects: [notice("error", { key: "chat.errors.notFound" })] };
    let assigneeId = ctx.actor.csmId;
    let assigneeName = ctx.actor.name;
    if (forSomeoneElse) {
      const { rows: [csm] } = await client.query<{ id: number; name: string }>(`SELECT id, name FROM csm WHERE email = $1 AND active`, [toEmail]);
      if (!csm) return { effects: [notice("error", { key: "chat.errors.unknownCsm", params: { email: toEmail! } })] };
      assigneeId = csm.id;
      assigneeName = csm.name;
    }
    if (deployment.assigned_csm_id === assigneeId) {
      return { effects: [reply({ card: "receipt", view: { outcome: { key: "alreadyDone", params: { name: assigneeName } }, actorName: ctx.actor.name, at: ctx.deps.now().toISOString() } })] };
    }
    if (target.version !== undefined && deployment.version !== target.version) {
      const outcome = deployment.assignee_name ? { key: "alreadyDone" as const, params: { name: deployment.assignee_name } } : { key: "stale" as const };
      // The clicked card is out of date: redraw it so nobody acts on it again.
      const refresh: Effect[] = target.alertId ? [{ type: "refreshAlert", alertId: target.alertId }] : [];
      return { effects: [reply({ card: "receipt", view: { outcome, actorName: deployment.assignee_name ?? ctx.actor.name, at: ctx.deps.now().toISOString() } }), ...refresh] };
    }
    await client.query(`UPDATE deployment SET assigned_csm_id = $2, version = version + 1, updated_at = now() WHERE id = $1`, [deployment.id, assigneeId]);
    const { rows: alerts } = await client.query<{ id: number }>(
      `UPDATE alert a SET version = a.version + 1, acted_by_id = $2, acted_at = now(), last_action = 'assigned'
       FROM use_case_deployment x WHERE x.id = a.use_case_deployment_id AND x.deployment_id = $1 AND a.status = 'open' RETURNING a.id`,
      [deployment.id, ctx.actor.csmId],
    );
    await writeAudit(client, ctx.actor, "usecase.assign", "deployment", deployment.deployment_id, { assignedCsmId: deployment.assigned_csm_id }, { assignedCsmId: assigneeId });
    return { effects: null, assigneeName, alerts: alerts.map((a) => a.id) };
  });
  if (result.effects) return result.effects;
  const alertIds = result.alerts ?? [];
  const subject = target.alertId ? await receiptSubject(ctx, target.alertId) : null;
  return [
    reply({ card: "receipt", view: { outcome: { key: "assigned", params: { name: result.assigneeName! } }, actorName: ctx.actor.name, at: ctx.deps.now().toISOString(), subject } }),
    ...alertIds.map((alertId): Effect => ({ type: "refreshAlert", alertId })),
  ];
}
