/** The escalation card: an alert nobody acted on, for the team leads (or admins) to assign. */
import type { EscalationView } from "../protocol/views.js";
import type { Format } from "./present-format.js";
import { ASSIGN_MAX_CHOICES } from "./present-forms.js";
import { join, submit, useCasePath, type TemplateData } from "./present-pieces.js";

export function presentEscalation(view: EscalationView, f: Format): TemplateData {
  const { t } = f;
  const { deployment, customer, useCase } = view;
  const owner = deployment.assignedCsm;
  return {
    title: t("cards.escalation.title", { kind: t(`cards.alertKind.${view.kind}`) }),
    why: view.step === 2 ? t("cards.escalation.why2", { days: f.days(view.daysOpen) }) : t("cards.escalation.why1", { days: f.days(view.daysOpen) }),
    fact: {
      customer: join(customer.name, customer.crPartyId),
      deployment: join(deployment.deploymentId, deployment.installSite),
      useCase: useCasePath(useCase),
      kind: t(`cards.alertKind.${view.kind}`),
      opened: t("cards.escalation.openedFor", { date: f.date(view.openedOn), days: f.days(view.daysOpen) }),
      csm: owner ? join(owner.name, owner.email) : t("cards.fact.notAssigned"),
    },
    csmChoices: view.csms.slice(0, ASSIGN_MAX_CHOICES).map((c) => ({ title: `${c.name} <${c.email}>`, value: c.email })),
    submit: {
      assign: submit<"usecase.assign">({ a: "usecase.assign", v: 1, id: deployment.rowId, ev: deployment.version, al: view.alertId }),
    },
    lcaUrl: view.lcaUrl,
  };
}
