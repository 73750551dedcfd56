/** The form cards: a contact, a recommendation action, an assignment. */
import { RECOMMENDATION_FOR } from "../domain/recommendations.js";
import type { ActionFormView, AssignFormView, ContactFormView } from "../protocol/views.js";
import type { Format } from "./present-format.js";
import { actionChoices, join, submit, type TemplateData } from "./present-pieces.js";

/** At most this many choices in a CSM picker (Slack's static_select takes 100). */
export const ASSIGN_MAX_CHOICES = 100;

export function presentContactForm(view: ContactFormView, f: Format): TemplateData {
  const { t } = f;
  const taken = new Map(view.partnerContacts.map((c) => [c.slot, c]));
  const preferred =
    view.slot ??
    view.partnerContacts.find((c) => c.barrier !== "none")?.slot ??
    ([1, 2] as const).find((slot) => !taken.has(slot)) ??
    1;
  return {
    title: t("cards.form.contactTitle"),
    subtitle: join(view.customer.name, view.useCase.name),
    slotChoices: ([1, 2] as const).map((slot) => {
      const contact = taken.get(slot);
      return {
        title: contact
          ? t("cards.form.slotTaken", { slot, email: contact.barrier === "none" ? contact.email : join(contact.email, f.barrier(contact.barrier)) })
          : t("cards.form.slotFree", { slot }),
        value: String(slot),
      };
    }),
    slot: String(preferred),
    submit: { contact: submit<"contact.update">({ a: "contact.update", v: 1, id: view.useCaseId, ev: view.useCaseVersion }) },
  };
}

export function presentActionForm(view: ActionFormView, f: Format): TemplateData {
  const { t } = f;
  return {
    title: t("cards.form.actionTitle"),
    subtitle: join(view.customer.name, view.useCase.name),
    recommendation: t(`cards.recommendation.${RECOMMENDATION_FOR[view.kind]}`),
    choices: { actions: actionChoices(f) },
    submit: { act: submit<"rec.act">({ a: "rec.act", v: 1, id: view.alertId, ev: view.alertVersion }) },
  };
}

export function presentAssignForm(view: AssignFormView, f: Format): TemplateData {
  const { t } = f;
  const csms = (view.csms ?? []).slice(0, ASSIGN_MAX_CHOICES);
  const current = view.deployment.assignedCsm;
  return {
    title: t("cards.form.assignTitle", { id: view.deployment.deploymentId }),
    subtitle: join(view.customer.name, view.deployment.installSite),
    current: current ? t("cards.form.currentCsm", { name: join(current.name, current.email) }) : t("cards.fact.notAssigned"),
    csmChoices: csms.map((c) => ({ title: `${c.name} <${c.email}>`, value: c.email })),
    show: { choices: csms.length > 0, text: csms.length === 0 },
    submit: { assign: submit<"usecase.assign">({ a: "usecase.assign", v: 1, id: view.deployment.rowId, ev: view.deployment.version }) },
  };
}
