/** The cards about one thing in full: a use case's detail and a customer's summary. */
import { dccNeeded, isRecommendationAction, offersRecommendationActions } from "../domain/recommendations.js";
import { CHAT_REGISTRY } from "../protocol/chats.js";
import type { ActivityEntry, ActivityView, CustomerView, HistoryView, UseCaseDetailView } from "../protocol/views.js";
import { escapeCardMarkdown } from "./escape.js";
import type { Format } from "./present-format.js";
import { actionChoices, join, mdBold, mdText, submit, useCasePath, type TemplateData } from "./present-pieces.js";

/** At most this many use-case rows on a customer card; the rest are counted. */
export const CUSTOMER_MAX_ROWS = 40;

export function presentUseCaseDetail(view: UseCaseDetailView, f: Format): TemplateData {
  const { t } = f;
  const { useCase, deployment, customer } = view;
  const rec = view.recommendation;
  return {
    title: useCase.name,
    subtitle: useCasePath(useCase),
    stalled: view.stalled ? t("cards.detail.stalled", { days: f.days(view.daysInStage), stage: f.stage(useCase.stage), threshold: f.days(view.threshold ?? 0) }) : "",
    fact: {
      customer: join(customer.name, customer.crPartyId),
      deployment: join(deployment.deploymentId, deployment.installSite),
      csm: deployment.assignedCsm ? join(deployment.assignedCsm.name, deployment.assignedCsm.email) : t("cards.fact.notAssigned"),
      stage: t("cards.fact.stageSince", { stage: f.stage(useCase.stage), date: f.date(useCase.stageEnteredOn) }),
      days: view.threshold != null ? t("cards.fact.daysOfThreshold", { days: f.days(view.daysInStage), threshold: f.days(view.threshold) }) : f.days(view.daysInStage),
      lead: f.yesNo(!!deployment.lead),
      telemetry: t(useCase.telemetry ? "cards.fact.on" : "cards.fact.off"),
      cpi: useCase.cpiEligible == null ? "" : f.yesNo(useCase.cpiEligible),
      // Bought from several partners without a consent: say it is needed (seed 000).
      dcc: dccNeeded(useCase) ? t("cards.fact.dccNeeded") : f.yesNo(!!useCase.dcc),
      adoptionPartner: useCase.adoptionPartner ?? "",
      added: f.date(useCase.addedOn),
      renewal: useCase.renewalOn ? f.date(useCase.renewalOn) : "",
      tags: useCase.tags.join(", "),
      excluded: f.yesNo(!!useCase.excluded),
    },
    show: {
      stalled: view.stalled,
      cpi: useCase.cpiEligible != null,
      adoptionPartner: !!useCase.adoptionPartner,
      renewal: !!useCase.renewalOn,
      tags: useCase.tags.length > 0,
      excluded: !!useCase.excluded,
      noContacts: view.contacts.length === 0,
      noHistory: view.history.length === 0,
      activity: !!view.activity,
      noActivity: !!view.activity && view.activity.entries.length === 0,
      activityOlder: (view.activity?.older ?? 0) > 0,
      actionsTaken: (rec?.actions.length ?? 0) > 0,
      // A contact alert is dealt with by Update contact, not the six steps with the customer.
      act: !!view.openAlert && offersRecommendationActions(view.openAlert.kind),
    },
    contacts: view.contacts.map((c) => ({
      text: join(
        t("cards.detail.contactLine", { email: c.name ? `${c.email} (${c.name})` : c.email, source: t(`cards.source.${c.source}`), barrier: f.barrier(c.barrier) }),
        c.waitingForLca ? t("cards.detail.waitingForLca") : undefined,
      ),
    })),
    noContacts: t("cards.detail.noContacts"),
    noHistory: t("cards.detail.noHistory"),
    noActivity: t("cards.activity.none"),
    recommendation: rec
      ? join(t(`cards.recommendation.${rec.kind}`), t(rec.status === "open" ? "cards.detail.recommendationOpen" : "cards.detail.recommendationClosed"))
      : t("cards.detail.noRecommendation"),
    actionsTaken: (rec?.actions ?? []).map((a) => ({
      text: join(t("cards.detail.actionLine", { action: f.action(a.action), name: a.by, at: f.dateTime(a.at) }), a.comment ? f.quote(a.comment) : undefined),
    })),
    activity: activityLines(view.activity, f),
    activityOlder: olderText(view.activity, f),
    history: view.history.map((h) => ({
      text: h.fromStage
        ? t("cards.detail.historyMove", { date: f.date(h.enteredOn), from: f.stage(h.fromStage), to: f.stage(h.toStage) })
        : t("cards.detail.historyFirst", { date: f.date(h.enteredOn), to: f.stage(h.toStage) }),
    })),
    choices: { actions: actionChoices(f) },
    submit: {
      act: view.openAlert ? submit<"rec.act">({ a: "rec.act", v: 1, id: view.openAlert.alertId, ev: view.openAlert.version }) : {},
      assign: submit<"usecase.assign">({ a: "usecase.assign", v: 1, id: deployment.rowId, ev: deployment.version }),
      contact: submit<"contact.update">({ a: "contact.update", v: 1, id: useCase.id, ev: useCase.version }),
    },
    lcaUrl: view.lcaUrl,
  };
}

export function presentCustomer(view: CustomerView, f: Format): TemplateData {
  const { t } = f;
  const all = view.deployments.flatMap((d) => d.useCases);
  const stalledCount = all.filter((u) => u.stalled).length;
  let budget = CUSTOMER_MAX_ROWS;
  const deployments = view.deployments.map((d) => {
    const shown = d.useCases.slice(0, Math.max(0, budget));
    budget -= shown.length;
    return {
      titleMd: join(mdBold(escapeCardMarkdown(t("cards.customer.deploymentLine", { id: d.deploymentId }))), mdText(d.installSite), mdText(d.assignedCsm?.name ?? t("cards.fact.notAssigned")), d.lead && mdText(t("cards.customer.leadMarker"))),
      useCases: shown.map((u) => ({
        text: join(t("cards.customer.useCaseLine", { useCase: u.name, stage: f.stage(u.stage), days: f.days(u.daysInStage) }), u.cpiEligible === true && t("cards.customer.cpiMarker"), u.dccNeeded === true && t("cards.customer.dccMarker"), u.stalled && t("cards.customer.stalledMarker")),
        color: u.stalled ? "Warning" : "Default",
      })),
    };
  });
  const hidden = all.length - Math.min(all.length, CUSTOMER_MAX_ROWS);
  const { customer } = view;
  return {
    title: customer.name,
    summary: join(t("cards.customer.summary", { count: all.length }), stalledCount > 0 && t("cards.customer.stalledCount", { count: stalledCount })),
    fact: {
      crPartyId: customer.crPartyId,
      cxbu: customer.cxbu ?? "",
      ea: customer.ea == null ? "" : f.yesNo(customer.ea),
      theater: customer.theater ?? "",
    },
    show: { cxbu: !!customer.cxbu, ea: customer.ea != null, theater: !!customer.theater, more: hidden > 0, lca: !!view.lcaUrl },
    deployments,
    more: hidden > 0 ? t("cards.customer.more", { count: hidden }) : "",
    lcaUrl: view.lcaUrl ?? "",
  };
}

// ---------------------------------------------------------------------------------------
// Activity: the use-case card's section and the `history` card, from the audit trail.

/** What was done, in the reader's language: the action's words from cards.activity.action. */
function activityWhat(entry: ActivityEntry, f: Format): string {
  const { t } = f;
  const detail = entry.detail ?? "";
  switch (entry.action) {
    case "rec.act":
      return t("cards.activity.action.rec_act", { action: isRecommendationAction(detail) ? f.action(detail) : detail });
    case "contact.update":
      return t("cards.activity.action.contact_update", { email: detail });
    case "usecase.assign":
      return t("cards.activity.action.usecase_assign", { name: detail || t("cards.fact.notAssigned") });
    case "alert.snooze":
      return t("cards.activity.action.alert_snooze", { date: Number.isNaN(Date.parse(detail)) ? detail : f.dateTime(detail) });
    case "alert.note":
      return t("cards.activity.action.alert_note");
    case "alert.escalated":
      return t("cards.activity.action.alert_escalated", { step: detail === "2" ? t("cards.escalation.step.2") : t("cards.escalation.step.1") });
  }
}

/**
 * One line per entry, newest first: when (in the reader's zone), who, what, from which chat,
 * the use case when the list spans several; the comment or note quoted on its own line.
 * Every part is text (render.ts escapes it for its slot): a note is the person's words.
 */
export function activityLines(activity: ActivityView | null | undefined, f: Format, options: { useCase?: boolean } = {}): { text: string; comment: string; hasComment: boolean }[] {
  return (activity?.entries ?? []).map((entry) => ({
    text: join(
      f.dateTime(entry.at),
      entry.by ?? f.t("cards.activity.bot"),
      activityWhat(entry, f),
      entry.chat ? f.t("cards.activity.inChat", { chat: CHAT_REGISTRY[entry.chat]?.title ?? entry.chat }) : undefined,
      options.useCase ? entry.useCase : undefined,
    ),
    comment: entry.comment ? f.quote(entry.comment) : "",
    hasComment: !!entry.comment,
  }));
}

function olderText(activity: ActivityView | null | undefined, f: Format): string {
  return activity && activity.older > 0 ? f.t("cards.activity.older", { count: activity.older }) : "";
}

export function presentHistory(view: HistoryView, f: Format): TemplateData {
  const { t } = f;
  return {
    title: view.deploymentId ? t("cards.activity.titleDeployment", { deploymentId: view.deploymentId }) : t("cards.activity.titleCustomer", { customer: view.customer.name }),
    subtitle: join(view.customer.name, view.customer.crPartyId),
    activity: activityLines(view.activity, f, { useCase: true }),
    activityOlder: olderText(view.activity, f),
    noActivity: t("cards.activity.none"),
    show: { noActivity: view.activity.entries.length === 0, activityOlder: view.activity.older > 0 },
  };
}
