import type { Locale } from "../config.js";
import { loadMessages, type MessageKey } from "../i18n.js";
import type { CardName, CardViews } from "../protocol/views.js";
import { presentAlert } from "./present-alert.js";
import { presentEscalation } from "./present-escalation.js";
import { presentCustomer, presentHistory, presentUseCaseDetail } from "./present-detail.js";
import { Format } from "./present-format.js";
import { presentActionForm, presentAssignForm, presentContactForm } from "./present-forms.js";
import { presentDigest, presentList } from "./present-list.js";
import { presentHelp, presentNotice, presentReceipt, presentWelcome } from "./present-messages.js";
import { presentHome } from "./present-home.js";
import { presentSummary } from "./present-summary.js";
import { presentTeam } from "./present-team.js";
import type { TemplateData } from "./present-pieces.js";

export { CUSTOMER_MAX_ROWS } from "./present-detail.js";
export { Format } from "./present-format.js";
export { ASSIGN_MAX_CHOICES } from "./present-forms.js";
export { DIGEST_MAX_ITEMS } from "./present-list.js";
export { FORM_FIELDS, whyText, type SubmitData, type TemplateData } from "./present-pieces.js";

/**
 * The presenter: view model → template data. Every user-facing string is made here, from
 * locales/<lang>/cards.json, with dates and numbers formatted by Intl for the reader's
 * language and time zone. The templates in cards/ only place these strings.
 *
 * Every string here is text: render.ts escapes each one for the slot its template puts it
 * in (escape.ts). The few fields that hold the presenter's own markdown are named `…Md`
 * and built with the `md…` helpers of present-pieces.ts, which escape the data inside them.
 */

export interface RenderContext {
  locale: Locale;
  /** The reader's IANA time zone. */
  timeZone: string;
  /** "Now", for "today" decisions (receipt times, days in stage when not given). */
  now?: Date;
}

// ---------------------------------------------------------------------------------------
// Static labels: every key under cards.label and cards.button, for the templates.

function sectionKeys(section: "label" | "button"): string[] {
  const cards = loadMessages("en").cards as Record<string, Record<string, unknown>>;
  return Object.keys(cards[section] ?? {});
}

const staticTexts = new Map<Locale, { label: Record<string, string>; button: Record<string, string> }>();

function staticTextsFor(f: Format): { label: Record<string, string>; button: Record<string, string> } {
  let texts = staticTexts.get(f.locale);
  if (!texts) {
    const translate = (section: "label" | "button") =>
      Object.fromEntries(sectionKeys(section).map((key) => [key, f.t(`cards.${section}.${key}` as MessageKey)]));
    texts = { label: translate("label"), button: translate("button") };
    staticTexts.set(f.locale, texts);
  }
  return texts;
}

// ---------------------------------------------------------------------------------------

type Presenter<V> = (view: V, f: Format) => TemplateData;

/** One presenter per card: a card added to CardViews without one fails the type check. */
const PRESENTERS: { [N in CardName]: Presenter<CardViews[N]> } = {
  "alert.new_use_case": presentAlert,
  "alert.stalled": presentAlert,
  "alert.bounced_contact": presentAlert,
  "alert.missing_contact": presentAlert,
  "alert.regression": presentAlert,
  escalation: presentEscalation,
  "usecase.detail": presentUseCaseDetail,
  "customer.summary": presentCustomer,
  history: presentHistory,
  list: presentList,
  "form.contact": presentContactForm,
  "form.action": presentActionForm,
  "form.assign": presentAssignForm,
  help: presentHelp,
  receipt: presentReceipt,
  digest: presentDigest,
  summary: presentSummary,
  notice: presentNotice,
  welcome: presentWelcome,
  home: presentHome,
  team: presentTeam,
};

/** The template data of a card: the labels and buttons of the reader's language plus the card's own strings. */
export function present<N extends CardName>(name: N, view: CardViews[N], ctx: RenderContext): TemplateData {
  const f = new Format(ctx.locale, ctx.timeZone, ctx.now);
  const presenter = PRESENTERS[name] as Presenter<CardViews[N]>;
  return { ...staticTextsFor(f), ...presenter(view, f) };
}
