import { describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import type { Filters } from "../../src/commands/types.js";
import type { AlertKind } from "../../src/domain/recommendations.js";
import { anna, handlerContext, james } from "../support/memory-store.js";
import { replies, world } from "../support/handler-world.js";

const noFilters: Filters = { tags: [], architectures: [], customers: [] };
const subscribe = (kinds: AlertKind[], mode: "immediate" | "digest" = "immediate", filters: Filters = noFilters) => ({ command: { kind: "subscribe" as const, kinds, filters, mode }, text: "subscribe" });
const unsubscribe = (kinds: AlertKind[]) => ({ command: { kind: "unsubscribe" as const, kinds }, text: "unsubscribe" });
const texts = (effects: Awaited<ReturnType<typeof runHandler>>) => replies(effects).map((c) => (c.card === "notice" ? c.view : c));

describe("subscribe", () => {
  it("subscribes, says to what and how in the reader's language, and audits what there was before", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store, { actor: james }), "subscribe", subscribe(["stalled", "regression"], "digest", { ...noFilters, tags: ["Strategic"] }));
    expect(texts(effects)).toEqual([{ tone: "success", text: { key: "chat.done.subscribed", params: { kinds: "Stalled in stage, Stage regression", mode: "in the daily digest" } } }]);
    expect(store.state.subscriptions).toMatchObject([{ csmId: james.csmId, kinds: ["stalled", "regression"], filters: { tags: ["Strategic"], architectures: [], customers: [] }, mode: "digest" }]);
    expect(store.state.audits).toEqual([
      { author: { csmId: james.csmId, channel: "webex" }, action: "subscribe", entity: "subscription", entityId: String(james.csmId), before: [], after: { kinds: ["stalled", "regression"], filters: { tags: ["Strategic"], architectures: [], customers: [] }, mode: "digest" } },
    ]);
  });

  it("keeps a repeated subscription as one, in any order of kinds and filter values, and audits it once", async () => {
    const store = world();
    const ctx = handlerContext(store, { actor: james });
    await runHandler(ctx, "subscribe", subscribe(["stalled", "new_use_case"], "immediate", { ...noFilters, tags: ["A", "B"] }));
    const again = await runHandler(ctx, "subscribe", subscribe(["new_use_case", "stalled"], "immediate", { ...noFilters, tags: ["B", "A"] }));
    expect(texts(again)[0]).toMatchObject({ tone: "success", text: { key: "chat.done.subscribed" } });
    expect(store.state.subscriptions).toHaveLength(1);
    expect(store.state.audits).toHaveLength(1);
    // Another mode or filter is another subscription.
    await runHandler(ctx, "subscribe", subscribe(["stalled", "new_use_case"], "digest", { ...noFilters, tags: ["A", "B"] }));
    await runHandler(ctx, "subscribe", subscribe(["stalled", "new_use_case"], "immediate", { ...noFilters, tags: ["A"] }));
    expect(store.state.subscriptions).toHaveLength(3);
    expect(store.state.audits[1]!.before).toEqual([{ kinds: ["stalled", "new_use_case"], filters: { tags: ["A", "B"], architectures: [], customers: [] }, mode: "immediate" }]);
  });

  it("matches a stored subscription that lacks a filter list as an empty one", async () => {
    const store = world({ subscriptions: [{ id: 1, csmId: anna.csmId, kinds: ["stalled"], filters: {}, mode: "immediate" }] });
    const effects = await runHandler(handlerContext(store), "subscribe", subscribe(["stalled"]));
    expect(texts(effects)[0]).toMatchObject({ text: { key: "chat.done.subscribed", params: { kinds: "Застой на этапе", mode: "сразу" } } });
    expect(store.state.subscriptions).toHaveLength(1);
  });

  it("names every kind as all alerts", async () => {
    const effects = await runHandler(handlerContext(world(), { actor: james }), "subscribe", subscribe([]));
    expect(texts(effects)[0]).toMatchObject({ text: { params: { kinds: "all alerts" } } });
  });
});

describe("unsubscribe", () => {
  it("takes the kinds out of every subscription, drops those left empty, and audits before and after", async () => {
    const store = world({
      subscriptions: [
        { id: 1, csmId: james.csmId, kinds: ["stalled"], filters: {}, mode: "immediate" },
        { id: 2, csmId: james.csmId, kinds: ["stalled", "regression"], filters: {}, mode: "digest" },
        { id: 3, csmId: anna.csmId, kinds: ["stalled"], filters: {}, mode: "immediate" },
      ],
    });
    const effects = await runHandler(handlerContext(store, { actor: james }), "unsubscribe", unsubscribe(["stalled"]));
    expect(texts(effects)).toEqual([{ tone: "success", text: { key: "chat.done.unsubscribed", params: { kinds: "Stalled in stage" } } }]);
    expect(store.state.subscriptions.map((s) => [s.id, s.kinds])).toEqual([[2, ["regression"]], [3, ["stalled"]]]);
    expect(store.state.audits).toEqual([
      { author: { csmId: james.csmId, channel: "webex" }, action: "unsubscribe", entity: "subscription", entityId: String(james.csmId), before: [{ kinds: ["stalled"] }, { kinds: ["stalled", "regression"] }], after: { removed: ["stalled"] } },
    ]);
  });

  it("with no kinds unsubscribes from all of them", async () => {
    const store = world({ subscriptions: [{ id: 1, csmId: james.csmId, kinds: ["stalled", "bounced_contact"], filters: {}, mode: "immediate" }] });
    const effects = await runHandler(handlerContext(store, { actor: james }), "unsubscribe", unsubscribe([]));
    expect(texts(effects)[0]).toMatchObject({ text: { params: { kinds: "all alerts" } } });
    expect(store.state.subscriptions).toEqual([]);
    expect(store.state.audits[0]!.after).toEqual({ removed: ["new_use_case", "stalled", "bounced_contact", "missing_contact", "regression"] });
  });
});

describe("digest", () => {
  it("turns the digest on at a time, in the person's zone, and audits the old setting", async () => {
    const store = world();
    const effects = await runHandler(handlerContext(store, { actor: james }), "digest", { command: { kind: "digest", enabled: true, time: "06:45" }, text: "digest on 06:45" });
    expect(texts(effects)).toEqual([{ tone: "success", text: { key: "chat.done.digestOn", params: { time: "06:45", timeZone: "Europe/London" } } }]);
    expect(store.state.csms[1]).toMatchObject({ digestEnabled: true, digestTime: "06:45" });
    expect(store.state.audits).toEqual([
      { author: { csmId: james.csmId, channel: "webex" }, action: "digest", entity: "csm", entityId: String(james.csmId), before: { digestEnabled: true, digestTime: "07:00" }, after: { digestEnabled: true, digestTime: "06:45" } },
    ]);
  });

  it("keeps the time when none is given, and turns it off", async () => {
    const store = world();
    const on = await runHandler(handlerContext(store, { actor: james }), "digest", { command: { kind: "digest", enabled: true }, text: "digest on" });
    expect(texts(on)[0]).toMatchObject({ text: { params: { time: "07:00" } } });
    const off = await runHandler(handlerContext(store, { actor: james }), "digest", { command: { kind: "digest", enabled: false }, text: "digest off" });
    expect(texts(off)).toEqual([{ tone: "success", text: { key: "chat.done.digestOff" } }]);
    expect(store.state.csms[1]).toMatchObject({ digestEnabled: false, digestTime: "07:00" });
  });
});

describe("lang", () => {
  it("stores the language, answers in it from then on, and audits the old one", async () => {
    const store = world();
    const ctx = handlerContext(store, { actor: james });
    const effects = await runHandler(ctx, "lang", { command: { kind: "lang", locale: "ru" }, text: "lang ru" });
    expect(texts(effects)).toEqual([{ tone: "success", text: { key: "chat.done.lang" } }]);
    expect(ctx.actor.locale).toBe("ru");
    expect(store.state.csms[1]!.locale).toBe("ru");
    expect(store.state.audits).toEqual([{ author: { csmId: james.csmId, channel: "webex" }, action: "lang", entity: "csm", entityId: String(james.csmId), before: { locale: "en" }, after: { locale: "ru" } }]);
  });
});

describe("settings", () => {
  it("shows language, zone, digest, subscriptions, role and partner, changing nothing", async () => {
    const store = world({ subscriptions: [{ id: 1, csmId: james.csmId, kinds: ["stalled"], filters: {}, mode: "digest" }, { id: 2, csmId: james.csmId, kinds: [], filters: {}, mode: "immediate" }] });
    const effects = await runHandler(handlerContext(store, { actor: james }), "settings", { command: { kind: "settings" }, text: "settings" });
    expect(texts(effects)).toEqual([
      {
        tone: "info",
        title: { key: "chat.settings.title" },
        text: {
          key: "chat.settings.text",
          params: { language: "English", timeZone: "Europe/London", digest: "07:00", quiet: "off", subscriptions: "Stalled in stage (in the daily digest); all alerts (right away)", role: "admin", partner: "Partner Example Ltd", domains: "partner.example" },
        },
      },
    ]);
    expect(store.state.audits).toEqual([]);
  });

  it("says off and none in the reader's language, and CSM for a non-admin", async () => {
    const store = world();
    store.state.csms[0]!.digestEnabled = false;
    const effects = await runHandler(handlerContext(store), "settings", { command: { kind: "settings" }, text: "настройки" });
    expect(texts(effects)[0]).toMatchObject({ text: { params: { language: "русский", digest: "выключена", subscriptions: "нет", role: "CSM" } } });
  });
});

describe("quiet", () => {
  const quiet = (command: { hours?: { from: string; to: string }; weekends?: boolean; off?: true }) => ({ command: { kind: "quiet" as const, ...command }, text: "quiet" });

  it("sets the night, then weekends too, keeps the other part each time, audits, and says it in the reader's zone", async () => {
    const store = world();
    const ctx = handlerContext(store, { actor: james });
    const night = await runHandler(ctx, "quiet", quiet({ hours: { from: "19:00", to: "08:00" } }));
    expect(texts(night)).toEqual([{ tone: "success", text: { key: "chat.done.quietHours", params: { quiet: "19:00–08:00", timeZone: james.timeZone } } }]);
    await runHandler(ctx, "quiet", quiet({ weekends: true }));
    expect((await store.settingsOf(james.csmId)).quiet).toEqual({ from: "19:00", to: "08:00", weekends: true });
    expect(store.state.audits.map((a) => [a.action, a.after])).toEqual([
      ["quiet", { from: "19:00", to: "08:00", weekends: false }],
      ["quiet", { from: "19:00", to: "08:00", weekends: true }],
    ]);
    const settings = await runHandler(ctx, "settings", { command: { kind: "settings" }, text: "settings" });
    expect(texts(settings)[0]).toMatchObject({ text: { params: { quiet: "19:00–08:00, weekends" } } });
    const off = await runHandler(ctx, "quiet", quiet({ off: true }));
    expect(texts(off)).toEqual([{ tone: "success", text: { key: "chat.done.quietOff" } }]);
    expect((await store.settingsOf(james.csmId)).quiet).toEqual({ from: null, to: null, weekends: false });
  });
});
