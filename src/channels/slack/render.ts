import type { AnyCard } from "../../protocol/effects.js";
import { toBlockKit, type BlockKitMessage } from "../../cards/blockkit.js";
import { renderCard, type RenderContext } from "../../cards/render.js";
import type { Message } from "../../protocol/views.js";
import type { Locale } from "../../config.js";
import { translator } from "../../i18n.js";

/** A card of an effect as a Slack message, in the reader's language and time zone. */
export function renderBlockKit(card: AnyCard, ctx: RenderContext, maxBlocks?: number): BlockKitMessage {
  const adaptive = renderCard(card.card, card.view as never, ctx);
  return toBlockKit(adaptive, { cancelLabel: translator(ctx.locale)("cards.button.cancel"), ...(maxBlocks ? { maxBlocks } : {}) });
}

/** A message key (or ready text) as the reader reads it. */
export function messageText(message: Message, locale: Locale): string {
  return "key" in message ? translator(locale)(message.key, message.params) : message.text;
}
