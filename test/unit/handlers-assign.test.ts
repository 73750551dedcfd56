import { describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import { anna, handlerContext, james, NOW, oliver } from "../support/memory-store.js";
import { alertViews, noticeKeys, refreshes, replies, world } from "../support/handler-world.js";

const button = (fields: { id?: number; ev?: number; to?: string; al?: number } = {}) =>
  ({ a: "usecase.assign" as const, v: 1 as const, id: fields.id ?? 10, ev: fields.ev ?? 5, to: fields.to, ...(fields.al ? { al: fields.al } : {}) });

describe("usecase.assign", () => {
  it("assigns the deployment to the actor: a receipt naming the card's subject, every open alert of it redrawn, audited before and after", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store, { reads: alertViews }), "usecase.assign", button({ al: 30 }));
    // Honest: saved in lca-bot, waiting for LCA, not done.
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "assignedPending", params: { name: anna.name } }, actorName: anna.name, at: NOW.toISOString(), subject: { customer: "Acme Corp", useCase: "Campus Automation" } } }]);
    expect(store.state.pendingLcaChanges).toEqual([
      { deploymentRowId: 10, useCaseId: null, field: "csm_email", valueBefore: oliver.email, valueChat: anna.email, author: { csmId: anna.csmId, channel: "slack" }, status: "pending" },
    ]);
    expect(refreshes(effects)).toEqual([30, 31]);
    expect(store.state.deployments[0]).toMatchObject({ assignedCsmId: anna.csmId, version: 6 });
    expect(store.state.alerts.map((a) => [a.version, a.lastAction, a.actedById])).toEqual([[4, "assigned", anna.csmId], [1, "assigned", anna.csmId]]);
    expect(store.state.audits).toEqual([
      { author: { csmId: anna.csmId, channel: "slack" }, action: "usecase.assign", entity: "deployment", entityId: "DEP-10", before: { assignedCsmId: oliver.id }, after: { assignedCsmId: anna.csmId } },
    ]);
  });

  it("a newer assignment supersedes the pending one and keeps LCA's value before; assigning LCA's own CSM again leaves nothing pending", async () => {
    const store = world();
    await runHandler(handlerContext(store), "usecase.assign", button());
    await runHandler(handlerContext(store, { actor: james }), "usecase.assign", button({ ev: 6 }));
    expect(store.state.pendingLcaChanges.map((c) => [c.status, c.valueBefore, c.valueChat])).toEqual([
      ["superseded", oliver.email, anna.email],
      ["pending", oliver.email, james.email],
    ]);
    const back = await runHandler(handlerContext(store, { actor: james }), "usecase.assign", button({ ev: 7, to: oliver.email }));
    expect(replies(back)[0]).toMatchObject({ view: { outcome: { key: "assigned", params: { name: oliver.name } } } });
    expect(store.state.pendingLcaChanges.map((c) => c.status)).toEqual(["superseded", "superseded"]);
  });

  it("without the card's alert names no subject", async () => {
    const effects = await runHandler(handlerContext(world()), "usecase.assign", button());
    expect(replies(effects)[0]).toMatchObject({ view: { subject: null } });
  });

  it("lets an admin assign to another CSM of the partner, found by email in any case", async () => {
    const store = world();
    store.state.deployments[0]!.assignedCsmId = null;
    const effects = await runHandler(handlerContext(store, { actor: james }), "usecase.assign", button({ to: " Oliver.Brown@Partner.example " }));
    // Oliver is LCA's own CSM for it: nothing for LCA to learn, so a plain receipt and no change.
    expect(replies(effects)[0]).toMatchObject({ card: "receipt", view: { outcome: { key: "assigned", params: { name: "Oliver Brown" } }, actorName: "James Lee" } });
    expect(store.state.pendingLcaChanges).toEqual([]);
    expect(store.state.deployments[0]!.assignedCsmId).toBe(oliver.id);
    expect(store.state.audits[0]).toMatchObject({ author: { csmId: james.csmId, channel: "webex" }, before: { assignedCsmId: null }, after: { assignedCsmId: oliver.id } });
  });

  it("refuses a non-admin assigning to someone else, but not to their own address", async () => {
    const store = world();
    expect(noticeKeys(await runHandler(handlerContext(store), "usecase.assign", button({ to: oliver.email })))).toEqual(["chat.errors.notAdminAssign"]);
    expect(store.state.deployments[0]!.assignedCsmId).toBe(oliver.id);
    expect(noticeKeys(await runHandler(handlerContext(store), "usecase.assign", button({ to: anna.email.toUpperCase() })))).toEqual(["receipt"]);
  });

  it("refuses, even for an admin, an assignee outside the partner's domains, naming the domains", async () => {
    const store = world();
    for (const to of ["someone@other.example", "oliver.brown@partner.example.attacker.example", "x@partner.example@other.example"]) {
      const effects = await runHandler(handlerContext(store, { actor: james }), "usecase.assign", button({ to }));
      expect(replies(effects)).toEqual([{ card: "notice", view: { tone: "error", text: { key: "chat.errors.assigneeOutsidePartner", params: { email: to, domains: "partner.example" } } } }]);
    }
    expect(store.state.audits).toEqual([]);
  });

  it("refuses an unknown or inactive CSM by email", async () => {
    const store = world();
    for (const to of ["nobody@partner.example", "gone@partner.example"]) {
      expect(replies(await runHandler(handlerContext(store, { actor: james }), "usecase.assign", button({ to })))).toEqual([{ card: "notice", view: { tone: "error", text: { key: "chat.errors.unknownCsm", params: { email: to } } } }]);
    }
    expect(store.state.deployments[0]!.version).toBe(5);
  });

  it("says it is already done when the deployment is theirs, before looking at the card's version", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store, { actor: james }), "usecase.assign", button({ to: oliver.email, ev: 0, al: 30 }));
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "alreadyDone", params: { name: "Oliver Brown" } }, actorName: "James Lee", at: NOW.toISOString() } }]);
    expect(refreshes(effects)).toEqual([]);
    expect(store.state.audits).toEqual([]);
  });

  it("on a stale card says who has it and redraws the clicked alert", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store), "usecase.assign", button({ ev: 4, al: 30 }));
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "alreadyDone", params: { name: "Oliver Brown" } }, actorName: "Oliver Brown", at: NOW.toISOString() } }]);
    expect(refreshes(effects)).toEqual([30]);
    expect(store.state.deployments[0]!.assignedCsmId).toBe(oliver.id);
  });

  it("on a stale card of an unassigned deployment says only that it is out of date", async () => {
    const store = world();
    store.state.deployments[0]!.assignedCsmId = null;
    const effects = await runHandler(handlerContext(store), "usecase.assign", button({ ev: 1 }));
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "stale" }, actorName: anna.name, at: NOW.toISOString() } }]);
    expect(refreshes(effects)).toEqual([]);
  });

  it("answers an unknown or inactive deployment with not found", async () => {
    for (const id of [99, 11]) expect(noticeKeys(await runHandler(handlerContext(world()), "usecase.assign", button({ id })))).toEqual(["chat.errors.notFound"]);
  });
});

describe("assign (the command)", () => {
  const command = (deploymentId: string, to: "me" | { email: string } = "me") => ({ command: { kind: "assign" as const, deploymentId, to }, text: `assign ${deploymentId}` });

  it("assigns by Deployment ID, whatever version the deployment is at", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store), "assign", command("DEP-10"));
    expect(replies(effects)[0]).toMatchObject({ card: "receipt", view: { outcome: { key: "assignedPending", params: { name: anna.name } }, subject: null } });
    expect(refreshes(effects)).toEqual([30, 31]);
    expect(store.state.deployments[0]!.assignedCsmId).toBe(anna.csmId);
  });

  it("passes the assignee on, so the same rules hold", async () => {
    expect(noticeKeys(await runHandler(handlerContext(world()), "assign", command("DEP-10", { email: oliver.email })))).toEqual(["chat.errors.notAdminAssign"]);
  });

  it("names a Deployment ID that is unknown or no longer active", async () => {
    for (const id of ["NOPE", "DEP-OLD", "dep-10"]) {
      expect(replies(await runHandler(handlerContext(world()), "assign", command(id)))).toEqual([{ card: "notice", view: { tone: "warning", text: { key: "chat.errors.deploymentNotFound", params: { deploymentId: id } } } }]);
    }
  });
});
