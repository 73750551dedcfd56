/** The summary card (issue 17): many new alerts to one destination at once, counted by kind, then each with its buttons. */
import { ALERT_KINDS } from "../domain/recommendations.js";
import type { SummaryView } from "../protocol/views.js";
import { presentAlert } from "./present-alert.js";
import type { Format } from "./present-format.js";
import { join, mdBold, mdLink, mdText, submit, whyText, type TemplateData } from "./present-pieces.js";

export function presentSummary(view: SummaryView, f: Format): TemplateData {
  const { t } = f;
  const total = ALERT_KINDS.reduce((n, k) => n + view.counts[k], 0);
  return {
    title: view.escalation ? t("cards.summary.escalatedTitle", { count: total }) : t("cards.summary.title", { count: total }),
    summary: view.pages > 1 ? t("cards.summary.page", { page: f.number(view.page), pages: f.number(view.pages) }) : t(view.escalation ? "cards.summary.escalatedIntro" : "cards.summary.intro"),
    counts: ALERT_KINDS.filter((k) => view.counts[k] > 0).map((k) => ({ title: t(`cards.alertKind.${k}`), value: f.number(view.counts[k]) })),
    items: view.items.map((alert) => {
      const card = presentAlert(alert, f) as { open: boolean; status: string; show: { snooze: boolean }; lcaWait: string; submit: Record<"assign" | "snooze", Record<string, unknown>> };
      const days = alert.facts.daysInStage ?? 0;
      return {
        titleMd: join(mdBold(mdLink(alert.customer.name, alert.lcaUrl)), mdText(alert.useCase.name)),
        detail: join(t(`cards.alertKind.${alert.kind}`), whyText({ ...alert.facts, kind: alert.kind, daysInStage: days, addedOn: alert.useCase.addedOn }, f), alert.deployment.deploymentId, card.lcaWait),
        state: card.status,
        open: card.open,
        showState: card.status !== "",
        showSnooze: card.show.snooze,
        submit: {
          assign: card.submit.assign,
          // One page holds many alerts, so the snooze form is asked for (an input id is unique per card).
          snooze: submit<"form.open">({ a: "form.open", v: 1, id: alert.alertId, f: "alert.snooze", ev: alert.alertVersion }),
          show: submit<"alert.show">({ a: "alert.show", v: 1, id: alert.alertId }),
        },
      };
    }),
  };
}
