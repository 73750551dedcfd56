import type { Locale } from "../../config.js";
import { ALERT_KINDS, type AlertKind } from "../../domain/recommendations.js";
import { hasQuietHours, NO_QUIET_HOURS, type QuietHours } from "../../domain/quiet.js";
import { translator } from "../../i18n.js";
import { notice, type Effect } from "../../protocol/effects.js";
import type { StoredSubscription, SubscriptionFilters } from "../../protocol/store.js";
import { authorOf, type Handler } from "./context.js";

/** A person's own settings: subscriptions, digest, language, and what they are. */

function kindsText(kinds: readonly AlertKind[], locale: Locale): string {
  const t = translator(locale);
  if (kinds.length === 0 || kinds.length === ALERT_KINDS.length) return t("chat.allKinds");
  return kinds.map((k) => t(`cards.alertKind.${k}`)).join(", ");
}

const sorted = (list: readonly string[] | undefined) => JSON.stringify([...(list ?? [])].sort());

function sameSubscription(s: StoredSubscription, wanted: { kinds: AlertKind[]; filters: SubscriptionFilters; mode: StoredSubscription["mode"] }): boolean {
  return s.mode === wanted.mode && sorted(s.kinds) === sorted(wanted.kinds) && (["tags", "architectures", "customers"] as const).every((k) => sorted(s.filters[k]) === sorted(wanted.filters[k]));
}

export const subscribe: Handler<"subscribe"> = async (ctx, { command: c }) => {
  const { csmId } = ctx.actor;
  const filters = { tags: c.filters.tags, architectures: c.filters.architectures, customers: c.filters.customers };
  const t = translator(ctx.actor.locale);
  await ctx.store.transaction(async (tx) => {
    const before = await tx.subscriptionsOf(csmId);
    // The same subscription twice (a repeated or replayed message) is one subscription.
    if (before.some((s) => sameSubscription(s, { kinds: c.kinds, filters, mode: c.mode }))) return;
    await tx.subscribe({ csmId, kinds: c.kinds, filters, mode: c.mode });
    await tx.audit({ author: authorOf(ctx.actor), action: "subscribe", entity: "subscription", entityId: csmId, before: before.map((s) => ({ kinds: s.kinds, filters: s.filters, mode: s.mode })), after: { kinds: c.kinds, filters, mode: c.mode } });
  });
  return [notice("success", { key: "chat.done.subscribed", params: { kinds: kindsText(c.kinds, ctx.actor.locale), mode: t(`chat.mode.${c.mode}`) } })];
};

export const unsubscribe: Handler<"unsubscribe"> = async (ctx, { command: c }) => {
  const { csmId } = ctx.actor;
  // An empty list means every kind.
  const kinds = c.kinds.length === 0 ? [...ALERT_KINDS] : c.kinds;
  await ctx.store.transaction(async (tx) => {
    const subs = await tx.subscriptionsOf(csmId);
    for (const s of subs) await tx.setSubscriptionKinds(s.id, s.kinds.filter((k) => !kinds.includes(k)));
    await tx.audit({ author: authorOf(ctx.actor), action: "unsubscribe", entity: "subscription", entityId: csmId, before: subs.map((s) => ({ kinds: s.kinds })), after: { removed: kinds } });
  });
  return [notice("success", { key: "chat.done.unsubscribed", params: { kinds: kindsText(c.kinds, ctx.actor.locale) } })];
};

export const digest: Handler<"digest"> = async (ctx, { command: c }) => {
  const { csmId } = ctx.actor;
  const after = await ctx.store.transaction(async (tx) => {
    const csm = await tx.settingsOf(csmId);
    const next = { digestEnabled: c.enabled, digestTime: c.time ?? csm.digestTime };
    await tx.setDigest(csmId, next);
    await tx.audit({ author: authorOf(ctx.actor), action: "digest", entity: "csm", entityId: csmId, before: { digestEnabled: csm.digestEnabled, digestTime: csm.digestTime }, after: next });
    return next;
  });
  return [c.enabled ? notice("success", { key: "chat.done.digestOn", params: { time: after.digestTime, timeZone: ctx.actor.timeZone } }) : notice("success", { key: "chat.done.digestOff" })];
};

export const lang: Handler<"lang"> = async (ctx, { command: c }) => {
  const { csmId } = ctx.actor;
  await ctx.store.transaction(async (tx) => {
    const csm = await tx.settingsOf(csmId);
    await tx.setLanguage(csmId, c.locale);
    await tx.audit({ author: authorOf(ctx.actor), action: "lang", entity: "csm", entityId: csmId, before: { locale: csm.locale }, after: { locale: c.locale } });
  });
  // The answer, and the rest of this conversation, speak the language just chosen.
  ctx.actor = { ...ctx.actor, locale: c.locale };
  return [notice("success", { key: "chat.done.lang" })];
};

/** "19:00–08:00, weekends", "weekends", "off". */
export function quietText(q: QuietHours, locale: Locale): string {
  const t = translator(locale);
  if (!hasQuietHours(q)) return t("chat.quiet.off");
  const parts = [q.from !== null && q.to !== null && q.from !== q.to ? t("chat.quiet.hours", { from: q.from, to: q.to }) : "", q.weekends ? t("chat.quiet.weekends") : ""];
  return parts.filter(Boolean).join(", ");
}

/** `quiet 19:00-08:00`, `quiet weekends`, `quiet off`: when nothing new is posted to the person. */
export const quiet: Handler<"quiet"> = async (ctx, { command: c }) => {
  const { csmId } = ctx.actor;
  const after = await ctx.store.transaction(async (tx) => {
    const before = (await tx.settingsOf(csmId)).quiet;
    const next: QuietHours = c.off
      ? NO_QUIET_HOURS
      : { from: c.hours?.from ?? before.from, to: c.hours?.to ?? before.to, weekends: c.weekends ?? before.weekends };
    await tx.setQuietHours(csmId, next);
    await tx.audit({ author: authorOf(ctx.actor), action: "quiet", entity: "csm", entityId: csmId, before: { ...before }, after: { ...next } });
    return next;
  });
  return hasQuietHours(after)
    ? [notice("success", { key: "chat.done.quietHours", params: { quiet: quietText(after, ctx.actor.locale), timeZone: ctx.actor.timeZone } })]
    : [notice("success", { key: "chat.done.quietOff" })];
};

export const settings: Handler<"settings"> = async (ctx): Promise<Effect[]> => {
  const csm = await ctx.store.settingsOf(ctx.actor.csmId);
  const t = translator(ctx.actor.locale);
  const subscriptions = csm.subscriptions.map((s) => `${kindsText(s.kinds, ctx.actor.locale)} (${t(`chat.mode.${s.mode}`)})`).join("; ") || t("chat.settings.none");
  const { partner } = ctx.config;
  return [
    notice("info", {
      key: "chat.settings.text",
      params: {
        language: t(`chat.language.${ctx.actor.locale}`),
        timeZone: ctx.actor.timeZone,
        digest: csm.digestEnabled ? csm.digestTime : t("chat.settings.off"),
        quiet: quietText(csm.quiet, ctx.actor.locale),
        subscriptions,
        role: t(ctx.actor.isAdmin ? "chat.settings.admin" : ctx.actor.isTeamLead ? "chat.settings.teamLead" : "chat.settings.csm"),
        partner: partner.name,
        domains: partner.domains.join(", "),
      },
    }, { key: "chat.settings.title" }),
  ];
};
