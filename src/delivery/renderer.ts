import type { AnyCard } from "../protocol/effects.js";
import type { OutgoingMessage } from "../protocol/port.js";
import { fallbackText, renderCard, type RenderContext } from "../cards/render.js";
import type { CardName, CardViews } from "../protocol/views.js";

/** Turns a card and its view into what a chat port sends, in the reader's language and time zone. */
export type MessageRenderer = (card: AnyCard, ctx: RenderContext) => OutgoingMessage;

export const renderMessage: MessageRenderer = (card, ctx) => {
  const rendered = renderCard(card.card as CardName, card.view as CardViews[CardName], ctx);
  return { card: rendered, fallbackText: fallbackText(rendered) };
};
