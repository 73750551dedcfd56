/** Reading Block Kit the way a person sees it in Slack, for tests. */

export interface SlackButton {
  action_id: string;
  value?: string;
  text: { text: string };
}

/** Every text a person sees in a list of blocks (headers, sections, fields, contexts, buttons), as sent (mrkdwn). */
export function blockText(blocks: unknown): string {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (typeof record.text === "string") out.push(record.text);
      for (const [key, value] of Object.entries(record)) if (key !== "value" && key !== "url") visit(value);
    }
  };
  visit(blocks);
  return out.join("\n");
}

export function buttons(blocks: unknown): SlackButton[] {
  return ((blocks ?? []) as { type: string; elements?: SlackButton[] }[]).filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []);
}

/**
 * mrkdwn as a reader sees it: a special mention (`<!here>`, `<!channel>`) would notify people,
 * so it shows as «@mention:here», distinct from the plain text "@here"; links show their
 * label; Slack's three escapes are undone last, so `&lt;b&gt;` reads as "<b>". The invisible
 * joiners escaping puts around markup characters of data are not seen either.
 */
export function mrkdwnAsSeen(text: string): string {
  return text
    .replace(/<!(here|channel|everyone)[^>]*>/g, "«@mention:$1»")
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, "«@user:$1»")
    .replace(/<[^<>|]+\|([^<>]+)>/g, "$1")
    .replace(/<(https?:[^<>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\u2060/g, "");
}

/** Text typed into Slack arrives with `&`, `<` and `>` escaped (the rest as typed). */
export function slackEscape(typed: string): string {
  return typed.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
