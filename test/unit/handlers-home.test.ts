import { describe, expect, it } from "vitest";
import { runAction, runHandler } from "../../src/actions/handlers/index.js";
import type { Envelope } from "../../src/protocol/envelope.js";
import { envelopeSchema } from "../../src/protocol/envelope.js";
import type { HomeView } from "../../src/protocol/views.js";
import { SAMPLE_VIEWS } from "../../src/cards/samples.js";
import { anna, handlerContext, james } from "../support/memory-store.js";
import { world } from "../support/handler-world.js";

const envelope = (payload: Record<string, unknown>): Envelope => envelopeSchema.parse({ v: 1, ...payload });

describe("home.open", () => {
  it("answers with the person's Home drawn by the Reads port, for them, in their language and zone, now", async () => {
    const asked: unknown[] = [];
    const view: HomeView = SAMPLE_VIEWS.home;
    const ctx = handlerContext(world(), { actor: james, reads: { homeView: async (args) => (asked.push(args), view) } });
    const effects = await runAction(ctx, envelope({ a: "home.open" }));
    expect(effects).toEqual([{ type: "home", card: { card: "home", view } }]);
    expect(asked).toEqual([{ csmId: james.csmId, locale: "en", timeZone: "Europe/London", now: ctx.now() }]);
  });

  it("publishes a notice, not an empty page, when the CSM is gone", async () => {
    const effects = await runAction(handlerContext(world(), { reads: { homeView: async () => null } }), envelope({ a: "home.open" }));
    expect(effects).toEqual([{ type: "home", card: { card: "notice", view: { tone: "error", text: { key: "chat.errors.notFound" } } } }]);
  });
});

/** The Home controls must change the data exactly as the commands do: run both on fresh worlds and compare. */
describe("the Home settings controls do what the commands do", () => {
  async function both(control: Record<string, unknown>, command: Parameters<typeof runHandler>[2], name: Parameters<typeof runHandler>[1], state = {}) {
    const viaHome = world(structuredClone(state));
    const viaCommand = world(structuredClone(state));
    const homeCtx = handlerContext(viaHome, { actor: james });
    const commandCtx = handlerContext(viaCommand, { actor: james });
    const homeEffects = await runAction(homeCtx, envelope(control));
    const commandEffects = await runHandler(commandCtx, name, command as never);
    return { viaHome, viaCommand, homeEffects, commandEffects, homeCtx };
  }

  it("settings.lang is `lang ru`: stored, audited as lang, and the answer speaks the new language", async () => {
    const r = await both({ a: "settings.lang", lang: "ru" }, { command: { kind: "lang", locale: "ru" }, text: "lang ru" }, "lang");
    expect(r.viaHome.state.csms[1]!.locale).toBe("ru");
    expect(r.viaHome.state).toEqual(r.viaCommand.state);
    expect(r.homeEffects).toEqual(r.commandEffects);
    expect(r.viaHome.state.audits).toMatchObject([{ action: "lang", after: { locale: "ru" } }]);
    expect(r.homeCtx.actor.locale).toBe("ru");
  });

  it("settings.digest turns it on at a time, and off keeping the time, as `digest` does", async () => {
    const on = await both({ a: "settings.digest", on: true, time: "09:00" }, { command: { kind: "digest", enabled: true, time: "09:00" }, text: "digest 09:00" }, "digest");
    expect(on.viaHome.state.csms[1]).toMatchObject({ digestEnabled: true, digestTime: "09:00" });
    expect(on.viaHome.state).toEqual(on.viaCommand.state);
    expect(on.homeEffects).toEqual(on.commandEffects);
    const off = await both({ a: "settings.digest", on: false }, { command: { kind: "digest", enabled: false }, text: "digest off" }, "digest");
    expect(off.viaHome.state.csms[1]).toMatchObject({ digestEnabled: false, digestTime: "07:00" });
    expect(off.viaHome.state).toEqual(off.viaCommand.state);
  });

  it("settings.unsubscribe takes one kind out of every subscription, as `unsubscribe <kind>` does", async () => {
    const subscriptions = [
      { id: 1, csmId: james.csmId, kinds: ["stalled" as const, "regression" as const], filters: {}, mode: "immediate" as const },
      { id: 2, csmId: james.csmId, kinds: ["stalled" as const], filters: {}, mode: "digest" as const },
      { id: 3, csmId: anna.csmId, kinds: ["stalled" as const], filters: {}, mode: "immediate" as const },
    ];
    const r = await both({ a: "settings.unsubscribe", kind: "stalled" }, { command: { kind: "unsubscribe", kinds: ["stalled"] }, text: "unsubscribe stalled" }, "unsubscribe", { subscriptions });
    expect(r.viaHome.state.subscriptions).toEqual([
      { id: 1, csmId: james.csmId, kinds: ["regression"], filters: {}, mode: "immediate" },
      { id: 3, csmId: anna.csmId, kinds: ["stalled"], filters: {}, mode: "immediate" },
    ]);
    expect(r.viaHome.state).toEqual(r.viaCommand.state);
    expect(r.homeEffects).toEqual(r.commandEffects);
  });

  it("refuses values the commands would refuse: another language, a time that is not HH:MM, an unknown kind", () => {
    expect(envelopeSchema.safeParse({ v: 1, a: "settings.lang", lang: "de" }).success).toBe(false);
    expect(envelopeSchema.safeParse({ v: 1, a: "settings.digest", on: true, time: "25:00" }).success).toBe(false);
    expect(envelopeSchema.safeParse({ v: 1, a: "settings.digest", on: "yes" }).success).toBe(false);
    expect(envelopeSchema.safeParse({ v: 1, a: "settings.unsubscribe", kind: "everything" }).success).toBe(false);
  });
});
