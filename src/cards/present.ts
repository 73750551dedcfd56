import type { Locale } from "../config.js";
import type { ActionName, Envelope } from "../protocol/envelope.js";
import { daysBetween, todayIn, type IsoDate } from "../domain/dates.js";
import { CLOSING_ACTIONS, RECOMMENDATION_ACTIONS, RECOMMENDATION_FOR, SNOOZE_DAYS, type AlertKind, type RecommendationAction } from "../domain/recommendations.js";
import type { Stage } from "../domain/stages.js";
import { loadMessages, translator, type MessageKey, type Translate } from "../i18n.js";
import type { ContainerStyle } from "./adaptive-card.js";
import { escapeCardLinkLabel, escapeCardMarkdown, markdownLinkUrl } from "./escape.js";
import type {
  ActionFormView,
  AlertView,
  AssignFormView,
  CardName,
  CardViews,
  ContactFormView,
  CustomerView,
  DeliveryBarrier,
  DigestItem,
  DigestView,
  HelpView,
  ListItem,
  ListView,
  Message,
  NoticeView,
  ReceiptView,
  UseCaseDetailView,
  UseCaseName,
} from "../protocol/views.js";

/**
 * The presenter: view model → template data. Every user-facing string is made here, from
 * locales/<lang>/cards.json, with dates and numbers formatted by Intl for the reader's
 * language and time zone. The templates in cards/ only place these strings.
 *
 * Every string here is text: render.ts escapes each one for the slot its template puts it
 * in (escape.ts). The few fields that hold the presenter's own markdown are named `…Md`
 * and built with the `md…` helpers below, which escape the data inside them.
 */

export interface RenderContext {
  locale: Locale;
  /** The reader's IANA time zone. */
  timeZone: string;
  /** "Now", for "today" decisions (receipt times, days in stage when not given). */
  now?: Date;
}

export type TemplateData = Record<string, unknown>;

/** The envelope fields a form supplies (input ids); the card data leaves them out. */
export const FORM_FIELDS = ["act", "comment", "email", "name", "slot", "to", "days"] as const;
type FormField = (typeof FORM_FIELDS)[number];
type EnvelopeOf<A extends ActionName> = Extract<Envelope, { a: A }>;
/** The `data` of an Action.Submit: the envelope without the fields its form supplies. */
export type SubmitData<A extends ActionName> = Omit<EnvelopeOf<A>, FormField> & Partial<Pick<EnvelopeOf<A>, Extract<keyof EnvelopeOf<A>, FormField>>>;

const submit = <A extends ActionName>(data: SubmitData<A>): SubmitData<A> => data;

/** At most this many use-case rows on a customer card; the rest are counted. */
export const CUSTOMER_MAX_ROWS = 40;
/** At most this many top items on a digest. */
export const DIGEST_MAX_ITEMS = 10;
/** At most this many choices in a CSM picker (Slack's static_select takes 100). */
export const ASSIGN_MAX_CHOICES = 100;

/** Formatting for one reader: language, time zone, now. */
export class Format {
  readonly t: Translate;
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly numberFormat: Intl.NumberFormat;

  constructor(
    readonly locale: Locale,
    readonly timeZone: string,
    readonly now: Date = new Date(),
  ) {
    this.t = translator(locale);
    // Calendar dates carry no time of day: format them in UTC so no zone shifts the day.
    this.dateFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    this.numberFormat = new Intl.NumberFormat(locale);
  }

  /** "March 4, 2025" / "4 марта 2025 г."; the input as is if it is not a date. */
  date(iso: IsoDate): string {
    const date = new Date(`${iso}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? iso : this.dateFormat.format(date);
  }

  /** "14:02" when it is today in the zone, else "Mar 4, 14:02" / "4 мар., 14:02"; the input as is if it is not a time. */
  dateTime(iso: string, timeZone: string = this.timeZone): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const day = (d: Date) => d.toLocaleDateString("en-CA", { timeZone });
    const today = day(date) === day(this.now);
    return new Intl.DateTimeFormat(this.locale, {
      ...(today ? {} : { day: "numeric", month: "short" }),
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone,
    }).format(date);
  }

  number(n: number): string {
    return this.numberFormat.format(n);
  }

  /** "1 day", "62 days" / "1 день", "2 дня", "5 дней", "21 день". */
  days(n: number): string {
    return this.t("cards.unit.days", { count: n });
  }

  stage(stage: Stage): string {
    return this.t(`cards.stage.${stage}`);
  }

  barrier(barrier: DeliveryBarrier | "missing"): string {
    return this.t(`cards.barrier.${barrier}`);
  }

  action(action: RecommendationAction): string {
    return this.t(`cards.action.${action}`);
  }

  message(message: Message): string {
    return "key" in message ? this.t(message.key, message.params) : message.text;
  }

  today(): IsoDate {
    return todayIn(this.timeZone, this.now);
  }

  /** A person's words quoted as the language quotes: “…” / «…». */
  quote(text: string): string {
    return this.t("cards.quote", { text });
  }

  yesNo(value: boolean): string {
    return this.t(value ? "cards.fact.yes" : "cards.fact.no");
  }
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
// Shared pieces

const useCasePath = (u: UseCaseName): string => `${u.architecture} / ${u.solutionDomain} / ${u.name}`;
const join = (...parts: (string | null | undefined | false)[]): string => parts.filter((p): p is string => !!p).join(" · ");
/** Markdown of the presenter's own (fields named `…Md`): data parts escaped here, the marks the bot's. */
const mdText = (text: string | null | undefined | false): string | undefined => (text ? escapeCardMarkdown(text) : undefined);
const mdBold = (markdown: string): string => `**${markdown}**`;
/** `[text](url)` with the text escaped (brackets too) and the URL made safe; the text alone without a usable URL. */
const mdLink = (text: string, url: string | null | undefined): string => {
  const href = markdownLinkUrl(url);
  return href ? `[${escapeCardLinkLabel(text)}](${href})` : escapeCardMarkdown(text);
};

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

/** The six recommendation actions as choices; the closing ones say so. */
function actionChoices(f: Format): { title: string; value: string }[] {
  return RECOMMENDATION_ACTIONS.map((action) => ({
    title: (CLOSING_ACTIONS as readonly string[]).includes(action) ? f.t("cards.actionCloses", { action: f.action(action) }) : f.action(action),
    value: action,
  }));
}

function snoozeChoices(f: Format): { title: string; value: string }[] {
  return SNOOZE_DAYS.map((days) => ({ title: f.days(days), value: String(days) }));
}

/** What "why it fired" is told from: a digest line's facts, which an alert's facts also provide. */
type WhyFacts = Omit<DigestItem, "alertId" | "customer" | "useCase" | "lcaUrl">;

/** Why an alert fired: "62 days in Implement, threshold 45 days". */
export function whyText(facts: WhyFacts, f: Format): string {
  const { t } = f;
  switch (facts.kind) {
    case "new_use_case":
      return t("cards.why.new_use_case", { date: facts.addedOn ? f.date(facts.addedOn) : "", stage: f.stage(facts.stage) });
    case "stalled": {
      const days = f.days(facts.daysInStage ?? 0);
      return facts.threshold == null
        ? t("cards.why.stalledNoThreshold", { days, stage: f.stage(facts.stage) })
        : t("cards.why.stalled", { days, stage: f.stage(facts.stage), threshold: f.days(facts.threshold) });
    }
    case "bounced_contact":
      return t("cards.why.bounced_contact", { email: facts.contactEmail ?? "", barrier: f.barrier(facts.barrier ?? "hard_bounce") });
    case "missing_contact":
      return t("cards.why.missing_contact");
    case "regression":
      return t("cards.why.regression", { from: f.stage(facts.fromStage ?? facts.stage), to: f.stage(facts.toStage ?? facts.stage) });
  }
}

// ---------------------------------------------------------------------------------------
// Alerts

function presentAlert(view: AlertView, f: Format): TemplateData {
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
  const contact = facts.contactEmail
    ? t("cards.fact.contact", { email: facts.contactName ? `${facts.contactEmail} (${facts.contactName})` : facts.contactEmail, barrier: f.barrier(facts.barrier ?? "hard_bounce") })
    : "";

  return {
    title: view.reminder > 0 ? reminderTitles[view.kind]() : t(`cards.alertKind.${view.kind}`),
    why,
    style: open ? KIND_STYLE[view.kind] : "good",
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
      tags: useCase.tags.join(", "),
      added: f.date(useCase.addedOn),
      contact,
    },
    show: { tags: useCase.tags.length > 0, contact: contact !== "", status: !!stateText(view, f) },
    recommendation: t(`cards.recommendation.${RECOMMENDATION_FOR[view.kind]}`),
    status: stateText(view, f),
    open,
    choices: { actions: actionChoices(f), snooze: snoozeChoices(f) },
    submit: {
      assign: submit<"usecase.assign">({ a: "usecase.assign", v: 1, id: deployment.rowId, ev: deployment.version, al: view.alertId }),
      act: submit<"rec.act">({ a: "rec.act", v: 1, id: view.alertId, ev: view.alertVersion }),
      contact: submit<"contact.update">({ a: "contact.update", v: 1, id: useCase.id, ev: useCase.version, ...(facts.contactSlot ? { slot: facts.contactSlot } : {}) }),
      snooze: submit<"alert.snooze">({ a: "alert.snooze", v: 1, id: view.alertId, ev: view.alertVersion }),
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

// ---------------------------------------------------------------------------------------
// Use-case detail, customer summary

function presentUseCaseDetail(view: UseCaseDetailView, f: Format): TemplateData {
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
      telemetry: t(useCase.telemetry ? "cards.fact.on" : "cards.fact.off"),
      dcc: f.yesNo(!!useCase.dcc),
      adoptionPartner: useCase.adoptionPartner ?? "",
      added: f.date(useCase.addedOn),
      renewal: useCase.renewalOn ? f.date(useCase.renewalOn) : "",
      tags: useCase.tags.join(", "),
      excluded: f.yesNo(!!useCase.excluded),
    },
    show: {
      stalled: view.stalled,
      adoptionPartner: !!useCase.adoptionPartner,
      renewal: !!useCase.renewalOn,
      tags: useCase.tags.length > 0,
      excluded: !!useCase.excluded,
      noContacts: view.contacts.length === 0,
      noHistory: view.history.length === 0,
      actionsTaken: (rec?.actions.length ?? 0) > 0,
      act: !!view.openAlert,
    },
    contacts: view.contacts.map((c) => ({
      text: t("cards.detail.contactLine", { email: c.name ? `${c.email} (${c.name})` : c.email, source: t(`cards.source.${c.source}`), barrier: f.barrier(c.barrier) }),
    })),
    noContacts: t("cards.detail.noContacts"),
    noHistory: t("cards.detail.noHistory"),
    recommendation: rec
      ? join(t(`cards.recommendation.${rec.kind}`), t(rec.status === "open" ? "cards.detail.recommendationOpen" : "cards.detail.recommendationClosed"))
      : t("cards.detail.noRecommendation"),
    actionsTaken: (rec?.actions ?? []).map((a) => ({
      text: join(t("cards.detail.actionLine", { action: f.action(a.action), name: a.by, at: f.dateTime(a.at) }), a.comment ? f.quote(a.comment) : undefined),
    })),
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

function presentCustomer(view: CustomerView, f: Format): TemplateData {
  const { t } = f;
  const all = view.deployments.flatMap((d) => d.useCases);
  const stalledCount = all.filter((u) => u.stalled).length;
  let budget = CUSTOMER_MAX_ROWS;
  const deployments = view.deployments.map((d) => {
    const shown = d.useCases.slice(0, Math.max(0, budget));
    budget -= shown.length;
    return {
      titleMd: join(mdBold(escapeCardMarkdown(t("cards.customer.deploymentLine", { id: d.deploymentId }))), mdText(d.installSite), mdText(d.assignedCsm?.name ?? t("cards.fact.notAssigned"))),
      useCases: shown.map((u) => ({
        text: join(t("cards.customer.useCaseLine", { useCase: u.name, stage: f.stage(u.stage), days: f.days(u.daysInStage) }), u.stalled && t("cards.customer.stalledMarker")),
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
// List, digest

function listRowDetail(kind: ListView["kind"], item: ListItem, f: Format): string {
  const { t } = f;
  switch (kind) {
    case "stalled":
      return join(whyText({ kind: "stalled", stage: item.stage, daysInStage: item.daysInStage, threshold: item.threshold }, f), item.assignedCsm?.name);
    case "new":
      return t("cards.list.row.new", { date: item.addedOn ? f.date(item.addedOn) : "", stage: f.stage(item.stage) });
    case "contacts": {
      const contact = item.contact ?? { barrier: "missing" as const };
      return contact.barrier === "missing" || !contact.email
        ? f.barrier("missing")
        : t("cards.list.row.contact", { barrier: f.barrier(contact.barrier), email: contact.email });
    }
    case "mine":
      return join(t("cards.list.row.mine", { stage: f.stage(item.stage), days: f.days(item.daysInStage) }), item.stalled && t("cards.customer.stalledMarker"));
  }
}

function presentList(view: ListView, f: Format): TemplateData {
  const { t } = f;
  const page = (id: number) => submit<"list.page">({ a: "list.page", v: 1, id, q: view.query });
  return {
    title: t(`cards.list.title.${view.kind}`),
    pageText: t("cards.list.page", { page: f.number(view.page), pages: f.number(Math.max(1, view.pageCount)), total: f.number(view.total) }),
    rows: view.items.map((item) => ({
      titleMd: join(mdBold(mdLink(item.customer.name, item.lcaUrl)), mdText(item.useCase.name)),
      detail: join(item.deploymentId, listRowDetail(view.kind, item, f)),
    })),
    empty: t(`cards.list.empty.${view.kind}`),
    show: { empty: view.items.length === 0, prev: view.page > 1, next: view.page < view.pageCount },
    submit: { prev: page(Math.max(1, view.page - 1)), next: page(view.page + 1) },
  };
}

function digestRow(item: DigestItem, f: Format): { titleMd: string; detail: string } {
  return {
    titleMd: join(mdBold(mdLink(item.customer.name, item.lcaUrl)), mdText(item.useCase.name)),
    detail: join(f.t(`cards.alertKind.${item.kind}`), whyText(item, f)),
  };
}

function presentDigest(view: DigestView, f: Format): TemplateData {
  const { t } = f;
  const total = Object.values(view.counts).reduce((a, b) => a + b, 0);
  const kinds = Object.keys(view.counts) as AlertKind[];
  const list = (q: string) => submit<"list.page">({ a: "list.page", v: 1, id: 1, q });
  return {
    title: t("cards.digest.title", { date: f.date(view.date) }),
    summary: total > 0 ? t("cards.digest.summary", { count: total }) : t("cards.digest.none"),
    counts: kinds.filter((k) => view.counts[k] > 0).map((k) => ({ title: t(`cards.alertKind.${k}`), value: f.number(view.counts[k]) })),
    top: view.top.slice(0, DIGEST_MAX_ITEMS).map((item) => digestRow(item, f)),
    show: {
      counts: total > 0,
      top: view.top.length > 0,
      stalled: view.counts.stalled > 0,
      new: view.counts.new_use_case > 0,
      contacts: view.counts.bounced_contact + view.counts.missing_contact > 0,
    },
    submit: { stalled: list("stalled"), new: list("new"), contacts: list("contacts"), mine: list("mine") },
  };
}

// ---------------------------------------------------------------------------------------
// Forms

function presentContactForm(view: ContactFormView, f: Format): TemplateData {
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

function presentActionForm(view: ActionFormView, f: Format): TemplateData {
  const { t } = f;
  return {
    title: t("cards.form.actionTitle"),
    subtitle: join(view.customer.name, view.useCase.name),
    recommendation: t(`cards.recommendation.${RECOMMENDATION_FOR[view.kind]}`),
    choices: { actions: actionChoices(f) },
    submit: { act: submit<"rec.act">({ a: "rec.act", v: 1, id: view.alertId, ev: view.alertVersion }) },
  };
}

function presentAssignForm(view: AssignFormView, f: Format): TemplateData {
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

// ---------------------------------------------------------------------------------------
// Help, receipt, notice

function presentHelp(view: HelpView, f: Format): TemplateData {
  return {
    title: f.t("cards.help.title"),
    intro: view.intro ? f.message(view.intro) : f.t("cards.help.intro"),
    commands: view.commands.map((c) => ({ title: c.command, value: f.message(c.description) })),
  };
}

const RECEIPT_ICON: Record<ReceiptView["outcome"]["key"], string> = {
  assigned: "✅",
  actionRecorded: "✅",
  contactUpdated: "✅",
  snoozed: "💤",
  alreadyDone: "ℹ️",
  stale: "⚠️",
};

function receiptText(outcome: ReceiptView["outcome"], f: Format): string {
  const { t } = f;
  switch (outcome.key) {
    case "assigned":
      return t("cards.receipt.assigned", { name: outcome.params.name });
    case "actionRecorded":
      return t("cards.receipt.actionRecorded", { action: f.action(outcome.params.action) });
    case "contactUpdated":
      return t("cards.receipt.contactUpdated", { email: outcome.params.email });
    case "snoozed":
      return t("cards.receipt.snoozed", { count: outcome.params.days });
    case "alreadyDone":
      return t("cards.receipt.alreadyDone", { name: outcome.params.name });
    case "stale":
      return t("cards.receipt.stale");
  }
}

function presentReceipt(view: ReceiptView, f: Format): TemplateData {
  const by = f.t("cards.receipt.by", { name: view.actorName });
  const comment = view.comment ? f.quote(view.comment) : "";
  const subject = view.subject ? join(view.subject.customer, view.subject.useCase) : "";
  const line = `${RECEIPT_ICON[view.outcome.key]} ${join(receiptText(view.outcome, f), f.dateTime(view.at, view.timeZone))}`;
  return {
    line,
    by,
    subject,
    comment,
    // "Assigned to Anna Petrova" already says who when Anna assigned herself.
    show: { subject: subject !== "", comment: comment !== "", by: !line.includes(view.actorName) },
  };
}

const NOTICE: Record<NoticeView["tone"], { icon: string; style: ContainerStyle }> = {
  info: { icon: "ℹ️", style: "emphasis" },
  success: { icon: "✅", style: "good" },
  warning: { icon: "⚠️", style: "warning" },
  error: { icon: "⛔", style: "attention" },
};

function presentNotice(view: NoticeView, f: Format): TemplateData {
  const { icon, style } = NOTICE[view.tone];
  const title = view.title ? f.message(view.title) : "";
  const text = f.message(view.text);
  return {
    style,
    title: title ? `${icon} ${title}` : "",
    text: title ? text : `${icon} ${text}`,
    ref: view.ref ? f.t("cards.notice.ref", { ref: view.ref }) : "",
    show: { title: title !== "", ref: !!view.ref },
  };
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
  "usecase.detail": presentUseCaseDetail,
  "customer.summary": presentCustomer,
  list: presentList,
  "form.contact": presentContactForm,
  "form.action": presentActionForm,
  "form.assign": presentAssignForm,
  help: presentHelp,
  receipt: presentReceipt,
  digest: presentDigest,
  notice: presentNotice,
};

/** The template data of a card: the labels and buttons of the reader's language plus the card's own strings. */
export function present<N extends CardName>(name: N, view: CardViews[N], ctx: RenderContext): TemplateData {
  const f = new Format(ctx.locale, ctx.timeZone, ctx.now);
  const presenter = PRESENTERS[name] as Presenter<CardViews[N]>;
  return { ...staticTextsFor(f), ...presenter(view, f) };
}
