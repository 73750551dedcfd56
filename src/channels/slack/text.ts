/**
 * Slack's text formatting, undone before the command parser sees it. Slack escapes `&`, `<`
 * and `>` in command and message text, and writes links, mentions and emails in angle
 * brackets: `<mailto:a@b.example|a@b.example>`, `<https://x|label>`, `<@U123|anna>`,
 * `<#C123|team>`, `<!here>`.
 */
export function decodeSlackText(text: string): string {
  return text
    .replace(/<([^<>]*)>/g, (_match, inner: string) => {
      const [target = "", label] = inner.split("|", 2);
      if (target.startsWith("@")) return label ? `@${label}` : target;
      if (target.startsWith("#")) return label ? `#${label}` : target;
      if (target.startsWith("!")) return label ?? `@${target.slice(1).split("^")[0]}`;
      if (target.startsWith("mailto:")) return label ?? target.slice("mailto:".length);
      return label ?? target;
    })
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
