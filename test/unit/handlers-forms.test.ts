import { describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import type { FormRequest } from "../../src/protocol/store.js";
import type { AnyCard } from "../../src/protocol/effects.js";
import { anna, handlerContext, james, MemoryStore } from "../support/memory-store.js";

const assignForm: AnyCard = {
  card: "form.assign",
  view: { deployment: { rowId: 10, deploymentId: "DEP-10", version: 5, installSite: null, assignedCsm: null }, customer: { crPartyId: "CR-1", name: "Acme Corp" }, csms: null },
} as AnyCard;

describe("form.open", () => {
  it("answers with the form drawn from the current data, naming the action it submits; nothing changes", async () => {
    const asked: { request: FormRequest; asAdmin: boolean }[] = [];
    const store = new MemoryStore();
    const reads = { formCard: async (request: FormRequest, asAdmin: boolean) => (asked.push({ request, asAdmin }), assignForm) };
    const effects = await runHandler(handlerContext(store, { actor: james, reads }), "form.open", { v: 1, a: "form.open", id: 10, f: "usecase.assign", ev: 5 });
    expect(effects).toEqual([{ type: "form", card: assignForm, submits: "usecase.assign" }]);
    // An admin chooses the assignee among the CSMs; the version is the one the card showed.
    expect(asked).toEqual([{ request: { submits: "usecase.assign", id: 10, ev: 5, slot: undefined }, asAdmin: true }]);
    expect(store.state.audits).toEqual([]);
    expect(store.commits).toBe(0);
  });

  it("asks for a CSM's own form without the list of CSMs", async () => {
    const asked: boolean[] = [];
    const reads = { formCard: async (_request: FormRequest, asAdmin: boolean) => (asked.push(asAdmin), assignForm) };
    await runHandler(handlerContext(new MemoryStore(), { actor: anna, reads }), "form.open", { v: 1, a: "form.open", id: 10, f: "usecase.assign" });
    expect(asked).toEqual([false]);
  });

  it("gives a team lead (TEAM_LEADS) the list of CSMs to assign to, as an admin gets it", async () => {
    const asked: boolean[] = [];
    const reads = { formCard: async (_request: FormRequest, asAdmin: boolean) => (asked.push(asAdmin), assignForm) };
    await runHandler(handlerContext(new MemoryStore(), { actor: { ...anna, isTeamLead: true }, reads }), "form.open", { v: 1, a: "form.open", id: 10, f: "usecase.assign" });
    expect(asked).toEqual([true]);
  });

  it("opens an alert's note form from its card (Slack's modal)", async () => {
    const asked: FormRequest[] = [];
    const reads = { formCard: async (request: FormRequest) => (asked.push(request), assignForm) };
    const effects = await runHandler(handlerContext(new MemoryStore(), { actor: anna, reads }), "form.open", { v: 1, a: "form.open", id: 701, f: "alert.note" });
    expect(effects).toMatchObject([{ type: "form", submits: "alert.note" }]);
    expect(asked[0]).toMatchObject({ submits: "alert.note", id: 701 });
  });

  it("says 'not found' when the form's subject is gone, and shows no form", async () => {
    const reads = { formCard: async () => null };
    const effects = await runHandler(handlerContext(new MemoryStore(), { reads }), "form.open", { v: 1, a: "form.open", id: 99, f: "contact.update", slot: 2 });
    expect(effects).toEqual([{ type: "reply", card: { card: "notice", view: { tone: "warning", text: { key: "chat.errors.notFound" } } } }]);
  });
});
