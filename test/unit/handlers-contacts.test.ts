import { describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import type { Effect } from "../../src/protocol/effects.js";
import { anna, handlerContext, james, NOW, testConfig } from "../support/memory-store.js";
import { noticeKeys, refreshes, replies, world } from "../support/handler-world.js";

const update = (fields: { id?: number; ev?: number; slot?: number; email: string; name?: string }) =>
  ({ a: "contact.update" as const, v: 1 as const, id: fields.id ?? 20, ev: fields.ev ?? 2, email: fields.email, ...(fields.slot === undefined ? {} : { slot: fields.slot }), name: fields.name });
const fieldErrors = (effects: Effect[]) => effects.find((e): e is Extract<Effect, { type: "fieldErrors" }> => e.type === "fieldErrors")?.errors;

describe("contact.update", () => {
  it("adds a partner contact in the first free slot: receipt, redraws of the contact alerts, audit, re-evaluation in the same unit", async () => {
    const store = world();
    store.reevaluation = { opened: {}, resolved: { missing_contact: 1 } };
    const effects = await runHandler(handlerContext(store, { actor: james }), "contact.update", update({ email: " New.Person@Customer.example ", name: "New Person" }));
    // Honest: saved in lca-bot and waiting for LCA, one pending change per field that changed.
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "contactSavedPending", params: { email: "new.person@customer.example" } }, actorName: "James Lee", at: NOW.toISOString() } }]);
    const author = { csmId: james.csmId, channel: "webex" };
    expect(store.state.pendingLcaChanges).toEqual([
      { deploymentRowId: 10, useCaseId: 20, field: "partner_contact_1_email", valueBefore: null, valueChat: "new.person@customer.example", author, status: "pending" },
      { deploymentRowId: 10, useCaseId: 20, field: "partner_contact_1_name", valueBefore: null, valueChat: "New Person", author, status: "pending" },
    ]);
    // Only the contact alerts: the stalled one is not about contacts.
    expect(refreshes(effects)).toEqual([31]);
    const ucd = store.state.useCases[0]!;
    expect(ucd.version).toBe(3);
    expect(ucd.contacts).toContainEqual({ source: "partner", slot: 1, email: "new.person@customer.example", name: "New Person", deliveryBarrier: "none" });
    expect(store.state.alerts[1]).toMatchObject({ lastAction: "contact_updated", actedById: james.csmId });
    expect(store.state.alerts[0]!.lastAction).toBeNull();
    expect(store.state.audits).toEqual([
      { author: { csmId: james.csmId, channel: "webex" }, action: "contact.update", entity: "contact", entityId: "20:partner:1", before: null, after: { email: "new.person@customer.example", name: "New Person", slot: 1 } },
    ]);
    expect(store.state.reevaluations).toEqual([
      { useCaseIds: [20], rules: { rules: { asOf: "2026-11-23", stallThresholds: testConfig.alerts.stallThresholds, newWindowDays: 30 }, reminderDays: testConfig.alerts.reminderDays } },
    ]);
    expect(store.commits).toBe(1);
  });

  it("replaces the contact in a named slot, auditing what was there", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store), "contact.update", update({ id: 21, ev: 0, slot: 1, email: "fixed@customer.example" }));
    expect(noticeKeys(effects)).toEqual(["receipt"]);
    expect(store.state.useCases[1]!.contacts).toEqual([{ source: "partner", slot: 1, email: "fixed@customer.example", name: null, deliveryBarrier: "none" }]);
    expect(store.state.audits[0]).toMatchObject({
      entityId: "21:partner:1",
      before: { source: "partner", slot: 1, email: "bounced@customer.example", name: null, delivery_barrier: "hard_bounce" },
      after: { email: "fixed@customer.example", name: null, slot: 1 },
    });
    // The name stayed empty: only the email waits for LCA, with LCA's bounced address before.
    expect(store.state.pendingLcaChanges.map((c) => [c.field, c.valueBefore, c.valueChat])).toEqual([["partner_contact_1_email", "bounced@customer.example", "fixed@customer.example"]]);
  });

  it("records only the fields that changed; the same values again record nothing and say saved, not waiting", async () => {
    const store = world();
    store.state.useCases[1]!.contacts[0]!.lcaEmail = "bounced@customer.example";
    await runHandler(handlerContext(store), "contact.update", update({ id: 21, ev: 0, slot: 1, email: "fixed@customer.example" }));
    const renamed = await runHandler(handlerContext(store), "contact.update", update({ id: 21, ev: 1, slot: 1, email: "fixed@customer.example", name: "Fixed Person" }));
    expect(replies(renamed)[0]).toMatchObject({ view: { outcome: { key: "contactSavedPending" } } });
    expect(store.state.pendingLcaChanges.map((c) => [c.field, c.status])).toEqual([["partner_contact_1_email", "pending"], ["partner_contact_1_name", "pending"]]);
    const again = await runHandler(handlerContext(store), "contact.update", update({ id: 21, ev: 2, slot: 1, email: "fixed@customer.example", name: "Fixed Person" }));
    expect(replies(again)[0]).toMatchObject({ view: { outcome: { key: "contactUpdated" } } });
    expect(store.state.pendingLcaChanges).toHaveLength(2);
    // Back to LCA's address: the pending email change is superseded and nothing new waits for it.
    await runHandler(handlerContext(store), "contact.update", update({ id: 21, ev: 3, slot: 1, email: "Bounced@Customer.example", name: "Fixed Person" }));
    expect(store.state.pendingLcaChanges.map((c) => [c.field, c.status])).toEqual([["partner_contact_1_email", "superseded"], ["partner_contact_1_name", "pending"]]);
  });

  it.each([
    ["not-an-email", undefined, "email", "chat.contact.invalidEmail", {}],
    ["x@partner.example", undefined, "email", "chat.contact.partnerDomain", { domain: "partner.example" }],
    ["x@sales.partner.example", 2, "email", "chat.contact.partnerDomain", { domain: "partner.example" }],
    ["someone@customer.example", 0, "slot", "chat.contact.ciscoReadOnly", {}],
    ["bounced@customer.example", undefined, "email", "chat.contact.knownBarred", { barrier: { key: "cards.barrier.hard_bounce" } }],
  ])("refuses %s (slot %s) next to the %s field with %s, changing nothing", async (email, slot, field, key, params) => {
    const store = world();
    const effects = await runHandler(handlerContext(store), "contact.update", update({ email, ...(slot === undefined ? {} : { slot }) }));
    const message = { key, params };
    expect(fieldErrors(effects)).toEqual({ [field]: message });
    expect(replies(effects)).toEqual([{ card: "notice", view: { tone: "error", text: message } }]);
    expect(store.state.audits).toEqual([]);
    expect(store.state.reevaluations).toEqual([]);
    expect(store.state.useCases[0]!.version).toBe(2);
  });

  it.each([
    ["a name with a control character", { email: "fine@customer.example", name: "Evil \u001b[31mName" }, "name", "chat.contact.invalidName"],
    ["a name longer than LCA's 256", { email: "fine@customer.example", name: "x".repeat(257) }, "name", "chat.contact.invalidName"],
    ["an address longer than LCA's 254", { email: `${"a".repeat(250)}@customer.example` }, "email", "chat.contact.invalidEmail"],
  ])("refuses %s, which the upload to LCA could not carry, changing and recording nothing", async (_what, fields, field, key) => {
    const store = world();
    const effects = await runHandler(handlerContext(store), "contact.update", update(fields));
    expect(fieldErrors(effects)).toEqual({ [field]: { key } });
    expect(store.state.pendingLcaChanges).toEqual([]);
    expect(store.state.useCases[0]!.contacts).toHaveLength(1);
  });

  it("refuses a third partner contact on the slot field, with the maximum as the plural's count", async () => {
    const store = world();
    store.state.useCases[0]!.contacts.push(
      { source: "partner", slot: 1, email: "one@customer.example", name: null, deliveryBarrier: "none" },
      { source: "partner", slot: 2, email: "two@customer.example", name: null, deliveryBarrier: "none" },
    );
    const effects = await runHandler(handlerContext(store), "contact.update", update({ email: "three@customer.example" }));
    expect(fieldErrors(effects)).toEqual({ slot: { key: "chat.contact.tooManyPartnerContacts", params: { count: 2 } } });
  });

  it("checks the address before the version, then on a stale form redraws every open alert of the use case", async () => {
    const store = world();
    expect(Object.keys(fieldErrors(await runHandler(handlerContext(store), "contact.update", update({ ev: 0, email: "bad" })))!)).toEqual(["email"]);
    const effects = await runHandler(handlerContext(store), "contact.update", update({ ev: 0, email: "fine@customer.example" }));
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "stale" }, actorName: anna.name, at: NOW.toISOString() } }]);
    expect(refreshes(effects)).toEqual([30, 31]);
    expect(store.state.useCases[0]!.contacts).toHaveLength(1);
  });

  it("answers an unknown or inactive use case with not found", async () => {
    const store = world();
    store.state.useCases[1]!.active = false;
    for (const id of [404, 21]) expect(noticeKeys(await runHandler(handlerContext(store), "contact.update", update({ id, ev: 0, email: "a@customer.example" })))).toEqual(["chat.errors.notFound"]);
  });

  it("keeps nothing of a change whose re-evaluation fails", async () => {
    const store = world();
    store.reevaluateUseCases = async () => {
      throw new Error("engine down");
    };
    await expect(runHandler(handlerContext(store), "contact.update", update({ email: "new@customer.example" }))).rejects.toThrow("engine down");
    expect(store.state.useCases[0]!.contacts).toHaveLength(1);
    expect(store.state.audits).toEqual([]);
    expect(store.state.pendingLcaChanges).toEqual([]);
  });
});
