/** What every card presenter (present-*.ts) builds with: submit data, joined and markdown text, action choices, why an alert fired. */
import type { LcaWait } from "../domain/alerts.js";
import type { ActionName, Envelope } from "../protocol/envelope.js";
import { CLOSING_ACTIONS, RECOMMENDATION_ACTIONS } from "../domain/recommendations.js";
import type { DigestItem, UseCaseName } from "../protocol/views.js";
import { escapeCardLinkLabel, escapeCardMarkdown, markdownLinkUrl } from "./escape.js";
import type { Format } from "./present-format.js";

export type TemplateData = Record<string, unknown>;

/** The envelope fields a form supplies (input ids); the card data leaves them out. */
export const FORM_FIELDS = ["act", "comment", "email", "name", "slot", "to", "days", "note"] as const;
type FormField = (typeof FORM_FIELDS)[number];
type EnvelopeOf<A extends ActionName> = Extract<Envelope, { a: A }>;
/** The `data` of an Action.Submit: the envelope without the fields its form supplies. */
export type SubmitData<A extends ActionName> = Omit<EnvelopeOf<A>, FormField> & Partial<Pick<EnvelopeOf<A>, Extract<keyof EnvelopeOf<A>, FormField>>>;

export const submit = <A extends ActionName>(data: SubmitData<A>): SubmitData<A> => data;

export const useCasePath = (u: UseCaseName): string => `${u.architecture} / ${u.solutionDomain} / ${u.name}`;
export const join = (...parts: (string | null | undefined | false)[]): string => parts.filter((p): p is string => !!p).join(" · ");
/** Markdown of the presenter's own (fields named `…Md`): data parts escaped here, the marks the bot's. */
export const mdText = (text: string | null | undefined | false): string | undefined => (text ? escapeCardMarkdown(text) : undefined);
export const mdBold = (markdown: string): string => `**${markdown}**`;
/** `[text](url)` with the text escaped (brackets too) and the URL made safe; the text alone without a usable URL. */
export const mdLink = (text: string, url: string | null | undefined): string => {
  const href = markdownLinkUrl(url);
  return href ? `[${escapeCardLinkLabel(text)}](${href})` : escapeCardMarkdown(text);
};

/** The marker of a contact alert fixed in chat and waiting for LCA (or late), in lists, digest and cards; "" for none. */
export const lcaWaitText = (wait: LcaWait | null | undefined, f: Format): string => (wait ? f.t(`cards.lcaWait.${wait}`) : "");

/** The six recommendation actions as choices; the closing ones say so. */
export function actionChoices(f: Format): { title: string; value: string }[] {
  return RECOMMENDATION_ACTIONS.map((action) => ({
    title: (CLOSING_ACTIONS as readonly string[]).includes(action) ? f.t("cards.actionCloses", { action: f.action(action) }) : f.action(action),
    value: action,
  }));
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
