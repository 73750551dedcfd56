import { checkContactChange, type ContactRefusal } from "../../domain/contacts.js";
import { todayIn } from "../../domain/dates.js";
import type { MessageKey, MessageParams } from "../../i18n.js";
import { countAlerts } from "../../metrics.js";
import { notice, reply, type Effect } from "../../protocol/effects.js";
import { contactField } from "../../domain/writeback.js";
import { cellHazard } from "../../ingest/row.js";
import { authorOf, type Handler } from "./context.js";

/** The contact form: a partner contact added or changed on a use case. */

const CONTACT_FIELD_ERRORS: Record<ContactRefusal["rule"], { field: string; key: MessageKey }> = {
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

/** A refusal shown next to the form's field and as a notice. */
function refused(field: string, message: { key: MessageKey; params?: MessageParams }): Effect[] {
  return [{ type: "fieldErrors", errors: { [field]: message } } as Effect, notice("error", message)];
}

export const updateContact: Handler<"contact.update"> = async (ctx, e) => {
  const { config } = ctx;
  const author = authorOf(ctx.actor);
  const email = e.email.trim().toLowerCase();
  const outcome = await ctx.store.transaction(async (tx) => {
    const ucd = await tx.lockUseCase(e.id);
    if (!ucd) return { effects: [notice("error", { key: "chat.errors.notFound" })] };
    // What the upload workbook carries must pass LCA's format (the ingest's own cell rules),
    // or one hostile name would keep every change from reaching LCA.
    if (cellHazard(email, "email")) return { effects: refused("email", { key: "chat.contact.invalidEmail" }) };
    if (e.name !== undefined && cellHazard(e.name, "name")) return { effects: refused("name", { key: "chat.contact.invalidName" }) };
    const contacts = await tx.contactsOf(e.id);
    const check = checkContactChange({
      email,
      slot: e.slot,
      partnerDomains: config.partner.domains,
      usedPartnerSlots: contacts.filter((c) => c.source === "partner").map((c) => c.slot),
      knownBarrier: await tx.knownBarrier(email),
    });
    if (!check.ok) {
      const { field, key } = CONTACT_FIELD_ERRORS[check.refusal.rule];
      return { effects: refused(field, { key, params: refusalParams(check.refusal) }) };
    }
    if (ucd.version !== e.ev) {
      const stale = await tx.openAlertIds(e.id);
      return { effects: [reply({ card: "receipt", view: { outcome: { key: "stale" }, actorName: ctx.actor.name, at: ctx.now().toISOString() } }), ...stale.map((alertId): Effect => ({ type: "refreshAlert", alertId }))] };
    }
    const existing = contacts.find((c) => c.source === "partner" && c.slot === check.slot);
    const before = existing ? { source: existing.source, slot: existing.slot, email: existing.email, name: existing.name, delivery_barrier: existing.deliveryBarrier } : null;
    const name = e.name ?? null;
    // LCA learns the change only from the partner's upload: one pending change per field that
    // changed, recorded before the contact is written (its LCA value is read from the data).
    let waiting = false;
    for (const [part, value, was] of [["email", email, existing?.email ?? null], ["name", name, existing?.name ?? null]] as const) {
      if (value === was) continue;
      const { recorded } = await tx.recordPendingLcaChange({ subject: { useCaseId: e.id }, field: contactField(check.slot, part), valueChat: value, author, at: ctx.now() });
      waiting ||= recorded;
    }
    await tx.upsertPartnerContact({ useCaseId: e.id, slot: check.slot, name, email });
    await tx.audit({ author, action: e.a, entity: "contact", entityId: `${e.id}:partner:${check.slot}`, before, after: { email, name: e.name ?? null, slot: check.slot } });
    // The contact alerts wait for LCA from now on (the engine holds them until a snapshot shows the fix).
    const touched = await tx.touchContactAlerts({ useCaseId: e.id, author });
    const changes = await tx.reevaluateUseCases([e.id], {
      rules: { asOf: todayIn(config.partner.timeZone, ctx.now()), stallThresholds: config.alerts.stallThresholds, newWindowDays: 30 },
      reminderDays: config.alerts.reminderDays,
    });
    return { effects: null, touched, changes, waiting };
  });
  if (outcome.effects) return outcome.effects;
  if (outcome.changes) countAlerts(outcome.changes);
  return [
    // Honest: saved here and waiting for LCA, unless the value is LCA's own again.
    reply({ card: "receipt", view: { outcome: { key: outcome.waiting ? "contactSavedPending" : "contactUpdated", params: { email } }, actorName: ctx.actor.name, at: ctx.now().toISOString() } }),
    ...(outcome.touched ?? []).map((alertId): Effect => ({ type: "refreshAlert", alertId })),
  ];
};
