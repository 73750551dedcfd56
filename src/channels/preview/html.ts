/**
 * HTML built from strings, escaped by default: every interpolated value is text unless it
 * is already `SafeHtml` (made by `html` or `raw`). Customer names and LCA data end up in
 * these pages, so nothing reaches the markup unescaped by accident.
 */

const SAFE = Symbol("SafeHtml");

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly html: string;
}

const safe = (markup: string): SafeHtml => ({ [SAFE]: true, html: markup });

export function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === "object" && value !== null && SAFE in value;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function piece(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(piece).join("");
  if (isSafeHtml(value)) return value.html;
  return escapeHtml(String(value));
}

/** A template whose `${…}` values are escaped (arrays are joined; null, undefined and false vanish). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += piece(value) + (strings[i + 1] ?? "");
  });
  return safe(out);
}

/** Markup this module's callers built themselves and vouch for. */
export function raw(markup: string): SafeHtml {
  return safe(markup);
}

/** JSON for a `<script type="application/json">` element: no `</script>` or `<!--` can close it early. */
export function jsonForScript(value: unknown): SafeHtml {
  return safe(JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029"));
}

/** Only web and mail links become hrefs; anything else (javascript:, data:) is dropped. */
export function safeHref(url: string): string | undefined {
  return /^(https?:|mailto:)/i.test(url.trim()) ? url.trim() : undefined;
}
