import { describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import { anna, handlerContext, james, NOW } from "../support/memory-store.js";
import { alertViews, noticeKeys, refreshes, replies, world } from "../support/handler-world.js";

const act = (fields: { id?: number; ev?: number; act?: "meeting_scheduled" | "not_my_customer"; comment?: string } = {}) =>
  ({ a: "rec.act" as const, v: 1 as const, id: fields.id ?? 30, ev: fields.ev ?? 3, act: fields.act ?? "meeting_scheduled", comment: fields.comment });

describe("rec.act", () => {
  it("records a staying action: the alert stays open, a receipt names what and where, its card is redrawn, and it is audited", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store, { reads: alertViews }), "rec.act", act({ comment: "Thursday" }));
    expect(replies(effects)).toEqual([
      { card: "receipt", view: { outcome: { key: "actionRecorded", params: { action: "meeting_scheduled" } }, actorName: anna.name, at: NOW.toISOString(), subject: { customer: "Acme Corp", useCase: "Campus Automation" }, comment: "Thursday" } },
    ]);
    expect(refreshes(effects)).toEqual([30]);
    expect(store.state.alerts[0]).toMatchObject({ status: "open", version: 4, lastAction: "meeting_scheduled", actedById: anna.csmId });
    expect(store.state.recommendations[0]).toEqual({ id: 40, status: "open", actions: [{ action: "meeting_scheduled", comment: "Thursday", author: { csmId: anna.csmId, channel: "slack" } }] });
    expect(store.state.audits).toEqual([
      { author: { csmId: anna.csmId, channel: "slack" }, action: "rec.act", entity: "alert", entityId: "30", before: { status: "open", lastAction: null }, after: { status: "open", lastAction: "meeting_scheduled", comment: "Thursday" } },
    ]);
    expect(store.commits).toBe(1);
  });

  it("resolves the alert and closes its recommendation on a closing action", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store, { actor: james, reads: alertViews }), "rec.act", act({ act: "not_my_customer" }));
    expect(replies(effects)[0]).toMatchObject({ card: "receipt", view: { outcome: { key: "actionRecorded" }, actorName: "James Lee", comment: null } });
    expect(store.state.alerts[0]).toMatchObject({ status: "resolved", resolution: "closed_by_action", actedById: james.csmId });
    expect(store.state.recommendations[0]!.status).toBe("closed");
    expect(store.state.audits[0]!.after).toEqual({ status: "resolved", lastAction: "not_my_customer", comment: null });
  });

  it("acts on an alert without a recommendation without inventing one", async () => {
    const store = world();
    store.state.alerts[1]!.kind = "regression";
    const effects = await runHandler(handlerContext(store, { reads: alertViews }), "rec.act", act({ id: 31, ev: 0 }));
    expect(noticeKeys(effects)).toEqual(["receipt"]);
    expect(store.state.recommendations[0]!.actions).toEqual([]);
    expect(store.state.alerts[1]).toMatchObject({ version: 1, lastAction: "meeting_scheduled" });
  });

  it("refuses one of the six steps with the customer on a contact alert (an old card), redraws it, and changes nothing", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store, { reads: alertViews }), "rec.act", act({ id: 31, ev: 0 }));
    expect(noticeKeys(effects)).toEqual(["chat.errors.contactAlertAction"]);
    expect(refreshes(effects)).toEqual([31]);
    expect(store.state.alerts[1]).toMatchObject({ status: "open", version: 0, lastAction: null });
    expect(store.state.audits).toEqual([]);
  });

  it("on a stale card says who did what, redraws the card, and changes nothing", async () => {
    const store = world();
    store.state.alerts[0]!.actedById = james.csmId;
    const effects = await runHandler(handlerContext(store), "rec.act", act({ ev: 2 }));
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "alreadyDone", params: { name: "James Lee" } }, actorName: "James Lee", at: NOW.toISOString() } }]);
    expect(refreshes(effects)).toEqual([30]);
    expect(store.state.audits).toEqual([]);
    expect(store.state.recommendations[0]!.actions).toEqual([]);
    expect(store.state.alerts[0]!.version).toBe(3);
  });

  it("on a stale card nobody acted on says only that it is out of date", async () => {
    const effects = await runHandler(handlerContext(world()), "rec.act", act({ ev: 9 }));
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "stale" }, actorName: anna.name, at: NOW.toISOString() } }]);
    expect(refreshes(effects)).toEqual([30]);
  });

  it("refuses a resolved alert and redraws it", async () => {
    const store = world();
    store.state.alerts[0]!.status = "resolved";
    const effects = await runHandler(handlerContext(store), "rec.act", act());
    expect(noticeKeys(effects)).toEqual(["chat.errors.alertResolved"]);
    expect(refreshes(effects)).toEqual([30]);
    expect(store.state.audits).toEqual([]);
  });

  it("answers an unknown alert with not found and no redraw", async () => {
    const effects = await runHandler(handlerContext(world()), "rec.act", act({ id: 999 }));
    expect(noticeKeys(effects)).toEqual(["chat.errors.notFound"]);
    expect(refreshes(effects)).toEqual([]);
  });
});

describe("alert.snooze", () => {
  const snooze = (fields: { id?: number; ev?: number; days?: 1 | 7 | 30 } = {}) => ({ a: "alert.snooze" as const, v: 1 as const, id: fields.id ?? 30, ev: fields.ev ?? 3, days: fields.days ?? 7 });

  it("snoozes for the days chosen from now, with a receipt, a redraw and an audit", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store, { reads: alertViews }), "alert.snooze", snooze({ days: 30 }));
    const until = new Date(NOW.getTime() + 30 * 86_400_000);
    expect(replies(effects)).toEqual([{ card: "receipt", view: { outcome: { key: "snoozed", params: { days: 30 } }, actorName: anna.name, at: NOW.toISOString(), subject: { customer: "Acme Corp", useCase: "Campus Automation" } } }]);
    expect(refreshes(effects)).toEqual([30]);
    expect(store.state.alerts[0]).toMatchObject({ snoozedUntil: until, lastAction: "snoozed", version: 4, actedById: anna.csmId, status: "open" });
    expect(store.state.audits).toEqual([
      { author: { csmId: anna.csmId, channel: "slack" }, action: "alert.snooze", entity: "alert", entityId: "30", before: { snoozedUntil: null }, after: { snoozedUntil: until.toISOString() } },
    ]);
  });

  it("refuses a stale card with a conflict receipt and a redraw", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store), "alert.snooze", snooze({ ev: 1 }));
    expect(replies(effects)[0]).toMatchObject({ card: "receipt", view: { outcome: { key: "stale" } } });
    expect(refreshes(effects)).toEqual([30]);
    expect(store.state.alerts[0]!.snoozedUntil).toBeNull();
  });

  it("refuses a resolved alert (no redraw: the card already shows it resolved) and an unknown one", async () => {
    const store = world();
    store.state.alerts[0]!.status = "resolved";
    const resolved = await runHandler(handlerContext(store), "alert.snooze", snooze());
    expect(noticeKeys(resolved)).toEqual(["chat.errors.alertResolved"]);
    expect(refreshes(resolved)).toEqual([]);
    expect(noticeKeys(await runHandler(handlerContext(store), "alert.snooze", snooze({ id: 404 })))).toEqual(["chat.errors.notFound"]);
    expect(store.state.audits).toEqual([]);
  });
});

describe("alert.show", () => {
  const show = { a: "alert.show" as const, v: 1 as const, id: 30 };

  it("queues the alert's own card where the summary was shown and answers nothing else", async () => {
    const store = world();
    const ctx = { ...handlerContext(store), origin: { destination: "C0TEAM", csmId: null } };
    expect(await runHandler(ctx, "alert.show", show)).toEqual([]);
    expect(store.shownCards).toEqual([{ alertId: 30, chat: anna.channel, destination: "C0TEAM", csmId: null }]);
  });

  it("sends it to the person's own space when the click names no conversation, and refuses a handled alert", async () => {
    const store = world();
    await runHandler(handlerContext(store), "alert.show", show);
    expect(store.shownCards).toEqual([{ alertId: 30, chat: anna.channel, destination: `csm:${anna.csmId}`, csmId: anna.csmId }]);
    store.state.alerts[0]!.status = "resolved";
    const effects = await runHandler(handlerContext(store), "alert.show", show);
    expect(noticeKeys(effects)).toEqual(["chat.errors.alertResolved"]);
    expect(refreshes(effects)).toEqual([30]);
    expect(store.shownCards).toHaveLength(1);
  });
});
