import type { AnyCard, Outcome } from "../../protocol/effects.js";
import { presentEach, type EffectPresenters } from "../../protocol/channel.js";
import { queryContext, type ConversationDeps } from "../../actions/context.js";
import { SLACK_LIMITS, toBlockKit, toModal } from "../../cards/blockkit.js";
import { renderCard, type AdaptiveCard, type RenderContext } from "../../cards/render.js";
import { alertCardName, type CardName, type Message } from "../../protocol/views.js";
import type { Locale } from "../../config.js";
import { translator, type Translate } from "../../i18n.js";
import { alertView } from "../../queries/queries.js";
import { slackMessageHtml, slackModalHtml } from "./slack-html.js";

/** One card as both chats get it: the Adaptive Card JSON Webex gets, and Slack's Block Kit as HTML. */
export interface RenderedCard {
  name: CardName;
  card: AdaptiveCard;
  slackHtml: string;
}

/** What the page shows after a message or a click, rendered in the page's language. */
export interface PreviewAnswer {
  /** The CSM's language after the request (`lang ru` changes it). */
  csmLocale: Locale;
  /** The language the cards below are rendered in. */
  locale: Locale;
  replies: RenderedCard[];
  /** Refusals to show next to the form field with that input id. */
  fieldErrors: { field: string; text: string }[];
  /** Alerts whose cards changed: every card showing one is replaced by this one. */
  refreshed: { alertId: number; card: RenderedCard }[];
  /** Files the bot answered with: the page links each to its download (GET /preview/api/changes.xlsx), or shows the image (GET /preview/api/team.png), with the comment. */
  files: { name: string; text: string; image?: boolean }[];
}

const isForm = (name: CardName): boolean => name.startsWith("form.");

export function messageText(t: Translate, message: Message): string {
  return "key" in message ? t(message.key, message.params) : message.text;
}

/** Renders a card for the preview: the same expanded card Webex gets, and its Slack rendering. */
export function renderBoth(card: AnyCard, ctx: RenderContext): RenderedCard {
  const t = translator(ctx.locale);
  const adaptive = renderCard(card.card, card.view, ctx);
  // A Home page is a Slack Home view, which holds twice the blocks of a message.
  const options = { cancelLabel: t("cards.button.cancel"), ...(card.card === "home" ? { maxBlocks: SLACK_LIMITS.homeBlocks } : {}) };
  // Slack shows the stand-alone forms as modals; everything else is a message.
  const slack = isForm(card.card) ? slackModalHtml(toModal(adaptive, options), t) : slackMessageHtml(toBlockKit(adaptive, options), t);
  return { name: card.card, card: adaptive, slackHtml: slack.html };
}

/** The current card of an alert, or null if it is gone. */
export async function renderAlert(deps: ConversationDeps, alertId: number, ctx: RenderContext): Promise<RenderedCard | null> {
  const view = await alertView(queryContext(deps), alertId);
  return view ? renderBoth({ card: alertCardName(view.kind), view }, ctx) : null;
}

/**
 * Carries out the effects of an outcome the preview's way. `locale` is the page's language
 * when the person chose one with the switch; otherwise the CSM's (after the request).
 */
export async function presentOutcome(deps: ConversationDeps, outcome: Outcome, locale: Locale | undefined): Promise<PreviewAnswer> {
  const ctx: RenderContext = { locale: locale ?? outcome.locale, timeZone: outcome.timeZone, now: deps.now() };
  const answer: PreviewAnswer = { csmLocale: outcome.locale, locale: ctx.locale, replies: [], fieldErrors: [], refreshed: [], files: [] };
  return presentEach(PRESENTERS, outcome.effects, answer, { deps, ctx, t: translator(ctx.locale) });
}

const PRESENTERS: EffectPresenters<PreviewAnswer, { deps: ConversationDeps; ctx: RenderContext; t: Translate }> = {
  reply: (effect, answer, { ctx }) => void answer.replies.push(renderBoth(effect.card, ctx)),
  // The page shows a form card as it is (its Slack side as the modal it would open).
  form: (effect, answer, { ctx }) => void answer.replies.push(renderBoth(effect.card, ctx)),
  // The inbox draws Home in a section of its own; asked for in a conversation, it is a card.
  home: (effect, answer, { ctx }) => void answer.replies.push(renderBoth(effect.card, ctx)),
  // The page cannot take bytes in its JSON answer: it links to the route that builds the file again.
  // An image (the team chart) is shown from GET /preview/api/team.png.
  file: (effect, answer, { t }) => void answer.files.push({ name: effect.name, text: messageText(t, effect.comment), ...(effect.mediaType.startsWith("image/") ? { image: true } : {}) }),
  fieldErrors: (effect, answer, { t }) => {
    for (const [field, message] of Object.entries(effect.errors)) answer.fieldErrors.push({ field, text: messageText(t, message) });
  },
  // The page has no sent messages to replace: it swaps the cards it shows for the alert's new one.
  refreshAlert: async (effect, answer, { deps, ctx }) => {
    if (answer.refreshed.some((r) => r.alertId === effect.alertId)) return;
    const card = await renderAlert(deps, effect.alertId, ctx);
    if (card) answer.refreshed.push({ alertId: effect.alertId, card });
  },
};
