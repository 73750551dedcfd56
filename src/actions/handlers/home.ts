import type { Effect } from "../../protocol/effects.js";
import type { Handler } from "./context.js";
import { digest, lang, unsubscribe } from "./settings.js";

/**
 * A CSM's Home page and its settings controls. The controls are the commands' own handlers
 * with the command a person would type: the same change, the same audit, the same answer.
 */

/** The person's Home as it stands now, in their language and zone. */
export const openHome: Handler<"home.open"> = async (ctx): Promise<Effect[]> => {
  const { csmId, locale, timeZone } = ctx.actor;
  const view = await ctx.reads.homeView({ csmId, locale, timeZone, now: ctx.now() });
  return [{ type: "home", card: view ? { card: "home", view } : { card: "notice", view: { tone: "error", text: { key: "chat.errors.notFound" } } } }];
};

export const setLanguage: Handler<"settings.lang"> = (ctx, e) => lang(ctx, { command: { kind: "lang", locale: e.lang }, text: `lang ${e.lang}` });

export const setDigest: Handler<"settings.digest"> = (ctx, e) =>
  digest(ctx, { command: { kind: "digest", enabled: e.on, ...(e.time ? { time: e.time } : {}) }, text: `digest ${e.on ? (e.time ?? "on") : "off"}` });

export const unsubscribeKind: Handler<"settings.unsubscribe"> = (ctx, e) => unsubscribe(ctx, { command: { kind: "unsubscribe", kinds: [e.kind] }, text: `unsubscribe ${e.kind}` });
