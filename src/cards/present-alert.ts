/** The alert cards (one per alert kind), from AlertView. */
import { daysBetween } from "../domain/dates.js";
import { offersRecommendationActions, RECOMMENDATION_ACTIONS, recommendationFor, SNOOZE_DAYS, type AlertKind, type RecommendationAction } from "../domain/recommendations.js";
import type { AlertView } from "../protocol/views.js";
import type { ContainerStyle } from "./adaptive-card.js";
import type { Format } from "./present-format.js";
import { actionChoices, join, lcaWaitText, submit, useCasePath, whyText, type TemplateData } from "./present-pieces.js";

const KIND_STYLE: Record<AlertKind, ContainerStyle> = {
  new_use_case: "accent",
  stalled: "warning",
  regression: "warning",
  bounced_contact: "attention",
  missing_contact: "attention",
};

const LAST_ACTIONS = ["assigned", "contact_updated", "snoozed"] as const;

function lastActionText(action: string, f: Format): string {
  if ((RECOMMENDATION_ACTIONS as readonly string[]).includes(action)) return f.action(action as RecommendationAction);
  if ((LAST_ACTIONS as readonly string[]).includes(action)) return f.t(`cards.lastAction.${action as (typeof LAST_ACTIONS)[number]}`);
  return action;
}

function snoozeChoices(f: Format): { title: string; value: string }[] {
  return SNOOZE_DAYS.map((days) => ({ title: f.days(days), value: String(days) }));
}

export function presentAlert(view: AlertView, f: Format): TemplateData {
  const { t } = f;
  const { facts, useCase, deployment, customer } = view;
  const daysInStage = facts.daysInStage ?? Math.max(0, daysBetween(useCase.stageEnteredOn, f.today()));
  const why = whyText({ ...facts, kind: view.kind, daysInStage, addedOn: useCase.addedOn }, f);
  const n = f.number(view.reminder);
  const reminderTitles: Record<AlertKind, () => string> = {
    new_use_case: () => t("cards.reminder.new_use_case", { useCase: useCase.name, n }),
    stalled: () => t("cards.reminder.stalled", { days: f.days(daysInStage), stage: f.stage(facts.stage), n }),
    bounced_contact: () => t("cards.reminder.bounced_contact", { email: facts.contactEmail ?? "", n }),
    missing_contact: () => t("cards.reminder.missing_contact", { useCase: useCase.name, n }),
    regression: () => t("cards.reminder.regression", { stage: f.stage(facts.toStage ?? facts.stage), n }),
  };
  const open = (view.state?.status ?? "open") === "open";
  // Fixed in chat and waiting for LCA: the marker is the card's news, not the fix buttons again.
  const waiting = open && view.lcaWait === "waiting";
  const contact = facts.contactEmail
    ? t("cards.fact.contact", { email: facts.contactName ? `${facts.contactEmail} (${facts.contactName})` : facts.contactEmail, barrier: f.barrier(facts.barrier ?? "hard_bounce") })
    : "";

  return {
    title: view.reminder > 0 ? reminderTitles[view.kind]() : t(`cards.alertKind.${view.kind}`),
    why,
    style: !open ? "good" : waiting ? "accent" : KIND_STYLE[view.kind],
    fact: {
      customer: join(customer.name, customer.crPartyId),
      deployment: join(deployment.deploymentId, deployment.installSite),
      useCase: useCasePath(useCase),
      stage: t("cards.fact.stageSince", { stage: f.stage(useCase.stage), date: f.date(useCase.stageEnteredOn) }),
      days:
        view.kind === "stalled" && facts.threshold != null
          ? t("cards.fact.daysOfThreshold", { days: f.days(daysInStage), threshold: f.days(facts.threshold) })
          : f.days(daysInStage),
      csm: deployment.assignedCsm?.name ?? t("cards.fact.notAssigned"),
      telemetry: t(useCase.telemetry ? "cards.fact.on" : "cards.fact.off"),
      cpi: useCase.cpiEligible == null ? "" : f.yesNo(useCase.cpiEligible),
      tags: useCase.tags.join(", "),
      added: f.date(useCase.addedOn),
      contact,
    },
    show: {
      tags: useCase.tags.length > 0, contact: contact !== "", status: !!stateText(view, f), lcaWait: open && !!view.lcaWait,
      fix: open && !waiting, act: open && offersRecommendationActions(view.kind), snooze: open && !waiting,
      // CPI only when LCA says either way: an empty cell is not a "No".
      cpi: useCase.cpiEligible != null,
    },
    lcaWait: open ? lcaWaitText(view.lcaWait, f) : "",
    recommendation: t(`cards.recommendation.${recommendationFor(view.kind, useCase)}`),
    status: stateText(view, f),
    open,
    choices: { actions: actionChoices(f), snooze: snoozeChoices(f) },
    submit: {
      assign: submit<"usecase.assign">({ a: "usecase.assign", v: 1, id: deployment.rowId, ev: deployment.version, al: view.alertId }),
      act: submit<"rec.act">({ a: "rec.act", v: 1, id: view.alertId, ev: view.alertVersion }),
      contact: submit<"contact.update">({ a: "contact.update", v: 1, id: useCase.id, ev: useCase.version, ...(facts.contactSlot ? { slot: facts.contactSlot } : {}) }),
      snooze: submit<"alert.snooze">({ a: "alert.snooze", v: 1, id: view.alertId, ev: view.alertVersion }),
      note: submit<"alert.note">({ a: "alert.note", v: 1, id: view.alertId }),
    },
    lcaUrl: view.lcaUrl,
  };
}

function stateText(view: AlertView, f: Format): string {
  const state = view.state;
  if (!state || (state.status === "open" && !state.lastAction)) return "";
  const action = state.lastAction ? lastActionText(state.lastAction, f) : undefined;
  const head =
    state.status === "resolved"
      ? action ? f.t("cards.state.resolvedWith", { action }) : f.t("cards.state.resolved")
      : f.t("cards.state.lastStep", { action });
  return join(state.status === "resolved" ? `✅ ${head}` : head, state.actedBy, state.at ? f.dateTime(state.at) : undefined);
}
