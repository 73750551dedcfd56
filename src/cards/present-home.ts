/** A CSM's Home page: counts, their most urgent alerts with the alert cards' own buttons, their settings as buttons. */
import { ALERT_KINDS } from "../domain/recommendations.js";
import { LOCALES } from "../locale.js";
import type { FormAction } from "../protocol/envelope.js";
import type { HomeView } from "../protocol/views.js";
import { presentAlert } from "./present-alert.js";
import type { Format } from "./present-format.js";
import { join, mdBold, mdLink, mdText, submit, whyText, type TemplateData } from "./present-pieces.js";

/** The digest times offered as one-click buttons (any other time: the `digest HH:MM` command). */
export const HOME_DIGEST_TIMES = ["07:00", "08:00", "09:00", "17:00"] as const;

/** "19:00–08:00, weekends" (the `quiet` command's words), or "off". */
function quietText(q: HomeView["settings"]["quiet"], f: Format): string {
  const night = q && q.from !== null && q.to !== null && q.from !== q.to ? f.t("chat.quiet.hours", { from: q.from, to: q.to }) : "";
  return [night, q?.weekends ? f.t("chat.quiet.weekends") : ""].filter(Boolean).join(", ") || f.t("chat.quiet.off");
}

export function presentHome(view: HomeView, f: Format): TemplateData {
  const { t } = f;
  const s = view.settings;
  const total = Object.values(view.counts).reduce((a, b) => a + b, 0);
  const language = (locale: (typeof LOCALES)[number]) => t(`chat.language.${locale}`);
  return {
    title: t("cards.home.title", { name: view.csmName }),
    summary: total > 0 ? t("cards.digest.summary", { count: total }) : t("cards.digest.none"),
    counts: ALERT_KINDS.map((k) => ({ title: t(`cards.alertKind.${k}`), value: f.number(view.counts[k]) })),
    noAlerts: t("cards.home.noAlerts"),
    urgent: view.urgent.map((alert) => {
      // The alert card's own envelopes. Its inline forms cannot repeat on one page (an input id
      // is unique per card), so each form button asks for its form (form.open), as a Slack
      // click on the alert card does; the form's submit is the card's own.
      const card = presentAlert(alert, f) as { open: boolean; show: { fix: boolean; act: boolean; snooze: boolean }; lcaWait: string; submit: Record<"assign" | "act" | "contact" | "snooze", Record<string, unknown>>; lcaUrl: string };
      const opens = (form: FormAction, data: Record<string, unknown>) => submit<"form.open">({ a: "form.open", v: 1, id: data.id as number, f: form, ev: data.ev as number, ...(typeof data.slot === "number" ? { slot: data.slot } : {}) });
      const days = alert.facts.daysInStage ?? 0;
      return {
        titleMd: join(mdBold(mdLink(alert.customer.name, alert.lcaUrl)), mdText(alert.useCase.name)),
        detail: join(t(`cards.alertKind.${alert.kind}`), whyText({ ...alert.facts, kind: alert.kind, daysInStage: days, addedOn: alert.useCase.addedOn }, f), alert.deployment.deploymentId, card.lcaWait),
        open: card.open,
        showContact: card.show.fix && (alert.kind === "bounced_contact" || alert.kind === "missing_contact"),
        showAct: card.show.act,
        showSnooze: card.show.snooze,
        submit: {
          assign: card.submit.assign,
          act: opens("rec.act", card.submit.act),
          contact: opens("contact.update", card.submit.contact),
          snooze: opens("alert.snooze", card.submit.snooze),
        },
        lcaUrl: card.lcaUrl,
      };
    }),
    settings: {
      language: language(s.locale),
      digest: s.digestEnabled ? t("cards.home.digestAt", { time: s.digestTime, timeZone: s.timeZone }) : t("chat.settings.off"),
      quiet: quietText(s.quiet, f),
      subscriptions: s.subscribedKinds.length > 0 ? s.subscribedKinds.map((k) => t(`cards.alertKind.${k}`)).join(", ") : t("chat.settings.none"),
    },
    languages: LOCALES.filter((l) => l !== s.locale).map((l) => ({ title: t("cards.home.switchLanguage", { language: language(l) }), data: submit<"settings.lang">({ a: "settings.lang", v: 1, lang: l }) })),
    digestToggle: s.digestEnabled
      ? { title: t("cards.home.digestOff"), data: submit<"settings.digest">({ a: "settings.digest", v: 1, on: false }) }
      : { title: t("cards.home.digestOn", { time: s.digestTime }), data: submit<"settings.digest">({ a: "settings.digest", v: 1, on: true }) },
    times: HOME_DIGEST_TIMES.filter((time) => !(s.digestEnabled && time === s.digestTime)).map((time) => ({
      title: t("cards.home.digestAtTime", { time }),
      data: submit<"settings.digest">({ a: "settings.digest", v: 1, on: true, time }),
    })),
    unsubscribe: s.subscribedKinds.map((k) => ({ title: t("cards.home.unsubscribe", { kind: t(`cards.alertKind.${k}`) }), data: submit<"settings.unsubscribe">({ a: "settings.unsubscribe", v: 1, kind: k }) })),
    show: { noAlerts: view.urgent.length === 0, times: true, unsubscribe: s.subscribedKinds.length > 0 },
  };
}
