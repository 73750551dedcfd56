import type { AnyCard } from "../protocol/effects.js";
import type { OutgoingMessage } from "../protocol/port.js";
import { fallbackText, renderCard, type RenderContext } from "../cards/render.js";
import type { CardName, CardViews } from "../protocol/views.js";
import { todayIn } from "../domain/dates.js";

/** Turns a card and its view into what a chat port sends, in the reader's language and time zone. */
export type MessageRenderer = (card: AnyCard, ctx: RenderContext) => OutgoingMessage;

export const renderMessage: MessageRenderer = (card, ctx) => {
  const rendered = renderCard(card.card as CardName, card.view as CardViews[CardName], ctx);
  return { card: rendered, fallbackText: fallbackText(rendered) };
};

/**
 * Renders each distinct card once: a retry, a redraw or the same alert to several readers of
 * one language reuses the message. The key is the view itself (it carries the alert's id and
 * version, and everything else the card shows), the reader's language, zone and day (dates
 * are written relative to today) and the chat, so a changed view is never served stale. The
 * oldest entries go first once `size` is reached.
 */
export function cachedRenderer(render: MessageRenderer, size = 1_000): (card: AnyCard, ctx: RenderContext, chat: string) => OutgoingMessage {
  const cache = new Map<string, OutgoingMessage>();
  return (card, ctx, chat) => {
    const day = todayIn(ctx.timeZone, ctx.now ?? new Date());
    const key = `${chat}\u0000${ctx.locale}\u0000${ctx.timeZone}\u0000${day}\u0000${card.card}\u0000${JSON.stringify(card.view)}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const message = render(card, ctx);
    if (cache.size >= size) cache.delete(cache.keys().next().value!);
    cache.set(key, message);
    return message;
  };
}
