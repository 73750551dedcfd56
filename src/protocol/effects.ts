import type { CardName, CardViews, Message } from "./views.js";
import type { Locale } from "../locale.js";
import type { FormAction } from "./envelope.js";

/** A card to show and the view it renders; the adapter renders it in the reader's language. */
export type CardOf<N extends CardName> = { card: N; view: CardViews[N] };
export type AnyCard = { [N in CardName]: CardOf<N> }[CardName];

/**
 * What a handler decided, for the chat adapter to carry out. Handlers never call a chat
 * API: tests assert on effects, and every chat presents them its own way.
 */
export type Effect =
  /** Answer the person in the conversation they wrote in. */
  | { type: "reply"; card: AnyCard }
  /** The alert changed: every card showing it must show its new state (no stale cards). */
  | { type: "refreshAlert"; alertId: number }
  /** A form was refused: say why next to each field, in the reader's language. */
  | { type: "fieldErrors"; errors: Record<string, Message> }
  /**
   * Show the form that submits `submits`, drawn from `card` (a form card, or an alert card
   * whose inline form it is): Slack opens it as a modal, the other chats show the card.
   */
  | { type: "form"; card: AnyCard; submits: FormAction }
  /**
   * The person's own page as it stands (a `home` card, or the refusal a stranger gets):
   * Slack publishes it as their App Home, the other chats show it as a card.
   */
  | { type: "home"; card: AnyCard }
  /**
   * A file for the person (the LCA upload workbook, the team chart): Slack uploads it, Webex
   * attaches it to a message, the preview links to its download (shows an image). `comment`
   * goes with it. It goes to the person's DM / 1:1 space with the bot, wherever they asked;
   * `here`: into the conversation they asked in (the team report, for admins and leads).
   */
  | { type: "file"; name: string; mediaType: string; bytes: Uint8Array; comment: Message; here?: boolean };

/** The outcome of one request: who asked (their language and zone) and the effects. */
export interface Outcome {
  locale: Locale;
  timeZone: string;
  effects: Effect[];
}

export const reply = (card: AnyCard): Effect => ({ type: "reply", card });
export const notice = (tone: "info" | "success" | "warning" | "error", text: Message, title?: Message): Effect =>
  reply({ card: "notice", view: { tone, text, ...(title ? { title } : {}) } });
