/** Staying within Slack's block limit (fewer dividers, merged text, then a visible cut), and which blocks are plain text, as ColumnSet also asks. */
import { SLACK_LIMITS, type Block } from "./blockkit-blocks.js";
import { mrkdwn } from "./blockkit-text.js";
import { escapeMrkdwn } from "./escape.js";

export const isTextual = (block: Block): boolean =>
  (block.type === "section" && !!block.text && !block.fields) || block.type === "context" || block.type === "header";

export function textOf(block: Block): string {
  switch (block.type) {
    case "section":
      return [block.text?.text, ...(block.fields ?? []).map((f) => f.text)].filter(Boolean).join("\n");
    case "context":
      return block.elements.map((e) => e.text).join(" ");
    case "header":
      return `*${escapeMrkdwn(block.text.text)}*`;
    default:
      return "";
  }
}

/** Merges runs of text sections and contexts into as few sections as fit 3000 characters. */
function mergeText(blocks: Block[]): Block[] {
  const out: Block[] = [];
  let buffer = "";
  const flush = () => {
    if (buffer) out.push({ type: "section", text: mrkdwn(buffer, SLACK_LIMITS.sectionText) });
    buffer = "";
  };
  for (const block of blocks) {
    if (block.type === "header" || !isTextual(block)) {
      flush();
      out.push(block);
      continue;
    }
    const text = textOf(block);
    if (buffer && buffer.length + 1 + text.length > SLACK_LIMITS.sectionText) flush();
    buffer = buffer ? `${buffer}\n${text}` : text;
  }
  flush();
  return out;
}

/**
 * At most `max` blocks: first without dividers, then with text merged, then cut with a
 * visible "…", keeping the trailing buttons (paging, actions).
 */
export function fitBlocks(blocks: Block[], max: number): Block[] {
  if (blocks.length <= max) return blocks;
  let out: Block[] = blocks.filter((b) => b.type !== "divider");
  if (out.length > max) out = mergeText(out);
  if (out.length > max) {
    let tailStart = out.length;
    while (tailStart > 0 && out[tailStart - 1]?.type === "actions" && out.length - tailStart < 2) tailStart--;
    const tail = out.slice(tailStart);
    out = [...out.slice(0, max - tail.length - 1), { type: "context", elements: [{ type: "mrkdwn", text: "…" }] }, ...tail];
  }
  return out;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
