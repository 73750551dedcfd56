import { summaryLines, type NestedCard } from "./adaptive-card.js";
import { actionBlocks } from "./blockkit-actions.js";
import { SLACK_LIMITS, type BlockKitMessage, type BlockKitOptions } from "./blockkit-blocks.js";
import { translateElements } from "./blockkit-elements.js";
import { fitBlocks } from "./blockkit-fit.js";
import { translation } from "./blockkit-modals.js";
import { toMrkdwn, truncateMrkdwn } from "./blockkit-text.js";

export * from "./blockkit-blocks.js";
export { fitBlocks } from "./blockkit-fit.js";
export { toModal } from "./blockkit-modals.js";
export { toMrkdwn, toPlain } from "./blockkit-text.js";

/**
 * One card, two renderings: an EXPANDED Adaptive Card (render.ts) → Slack Block Kit.
 * Covers the subset our cards use, through two tables of translators (blockkit-elements.ts, blockkit-actions.ts).
 * Slack's limits are kept by truncating with a visible "…" or splitting, never by throwing.
 */

/** A plain fallback `text`: the card's summary in mrkdwn, at most 3000 characters. */
export function fallbackMrkdwn(card: NestedCard): string {
  return truncateMrkdwn(toMrkdwn(summaryLines(card).join("\n")), SLACK_LIMITS.text);
}

/** An expanded Adaptive Card as a Slack message: blocks, a text fallback, and a modal per ShowCard. */
export function toBlockKit(card: NestedCard, options: BlockKitOptions = {}): BlockKitMessage {
  const cx = translation(options);
  const blocks = [...translateElements(card.body ?? [], cx), ...actionBlocks(card.actions ?? [], cx)];
  return { text: fallbackMrkdwn(card), blocks: fitBlocks(blocks, options.maxBlocks ?? SLACK_LIMITS.messageBlocks), modals: cx.modals };
}
