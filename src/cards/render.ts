import { readFileSync } from "node:fs";
import { projectPath } from "../paths.js";
import { summaryLines, truncateBytes, type AdaptiveCard } from "./adaptive-card.js";
import { cleanText, escapeCardMarkdown, toWebexMarkdown } from "./escape.js";
import { present, type RenderContext, type TemplateData } from "./present.js";
import { compileTemplate, type CardTemplate } from "./template.js";
import type { CardName, CardViews } from "../protocol/views.js";

export type { RenderContext } from "./present.js";
export type { AdaptiveCard } from "./adaptive-card.js";

/** Webex: the markdown (and text) of a message holds at most 7439 bytes. */
export const WEBEX_MARKDOWN_MAX_BYTES = 7439;

interface LoadedTemplate {
  /** Compiled once (template.ts): expanded per message without re-evaluating expressions. */
  template: CardTemplate;
  /** Every `${…}` binding the template holds, to spot one left unexpanded. */
  bindings: string[];
  /** Where each bound data path lands: markdown, plain text, or raw (see `slotsOf`). */
  slots: Map<string, Slot>;
}

/**
 * What a template does with a data value, found from where its binding sits:
 * - "markdown": TextBlock `text`, Fact `title` and `value`. The value is data, and so
 *   escaped (escape.ts), unless its name ends in `Md`: the presenter's own markdown, built
 *   with the data inside it already escaped (the `md…` helpers of present-pieces.ts). The
 *   default is escaped.
 * - "plain": titles of actions and choices, labels, placeholders, error messages, alt texts:
 *   shown as text by every client, so only cleaned (no direction controls, no `${`).
 * - "raw": URLs, envelopes, choice and input values, styles, colours, `$when`: used, not shown.
 */
export type Slot = "markdown" | "plain" | "raw";

const PLAIN_PROPERTIES = new Set(["title", "label", "placeholder", "errorMessage", "altText"]);

/** The slot of each data path a template binds, as `a.b`, `rows[].title` inside `$data` scopes. */
export function slotsOf(template: unknown): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  const RANK: Record<Slot, number> = { raw: 0, plain: 1, markdown: 2 };
  const note = (path: string, slot: Slot) => {
    const before = slots.get(path);
    if (!before || RANK[slot] > RANK[before]) slots.set(path, slot);
  };
  const bound = (value: string): string[] => [...value.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!.trim());
  const visit = (node: unknown, scope: string, inFacts: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((item) => visit(item, scope, inFacts));
      return;
    }
    if (!node || typeof node !== "object") return;
    const object = node as Record<string, unknown>;
    let inner = scope;
    if (typeof object.$data === "string") {
      const [path] = bound(object.$data);
      if (path) inner = `${scope ? `${scope}.` : ""}${path}[]`;
    }
    for (const [key, value] of Object.entries(object)) {
      if (typeof value === "string") {
        if (key === "$data") continue;
        const slot: Slot =
          (object.type === "TextBlock" && key === "text") || (inFacts && (key === "title" || key === "value"))
            ? "markdown"
            : PLAIN_PROPERTIES.has(key)
              ? "plain"
              : "raw";
        for (const path of bound(value)) note(path.startsWith("$root.") ? path.slice("$root.".length) : `${inner ? `${inner}.` : ""}${path}`, slot);
      } else {
        visit(value, inner, key === "facts");
      }
    }
  };
  visit(template, "", false);
  return slots;
}

/**
 * `${` in a raw value (an envelope's query, a choice's value) while the template expands: the
 * templating never expands data, but a `${title}` in it would look like a binding left over.
 * Put back as `${` once the card is checked.
 */
const RAW_BINDING = "\uE000{";

/** A card with the raw values' `${` back (see RAW_BINDING). */
function restoreRawBindings<T>(value: T): T {
  if (typeof value === "string") return value.replace(/\uE000\{/g, "${") as T;
  if (Array.isArray(value)) return value.map(restoreRawBindings) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreRawBindings(v)])) as T;
  return value;
}

/**
 * The presenter's data made safe for its template: each string escaped for the slot it
 * lands in (markdown unless its key ends in `Md`), plain text cleaned, raw values as given.
 * A path no binding names is left as is (nothing shows it).
 */
export function escapeTemplateData(data: TemplateData, slots: ReadonlyMap<string, Slot>): TemplateData {
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === "string") {
      const slot = slots.get(path);
      if (slot === "markdown") return path.endsWith("Md") ? value : escapeCardMarkdown(value);
      if (slot === "plain") return cleanText(value).replace(/\$\{/g, "$\u2060{");
      return value.replace(/\$\{/g, RAW_BINDING);
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, `${path}[]`));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner, path ? `${path}.${key}` : key)]));
    }
    return value;
  };
  return walk(data, "") as TemplateData;
}

const templates = new Map<CardName, LoadedTemplate>();

/** The path of a card's template: cards/<name>.json at the project root. */
export function templatePath(name: CardName): string {
  return projectPath("cards", `${name}.json`);
}

/** Reads (once) and prepares a card template. */
export function loadTemplate(name: CardName): LoadedTemplate {
  let loaded = templates.get(name);
  if (!loaded) {
    const source = readFileSync(templatePath(name), "utf8");
    let payload: unknown;
    try {
      payload = JSON.parse(source);
    } catch (error) {
      throw new Error(`cards/${name}.json is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    loaded = { template: compileTemplate(payload), bindings: [...new Set(source.match(/\$\{[^}]*\}/g) ?? [])], slots: slotsOf(payload) };
    templates.set(name, loaded);
  }
  return loaded;
}

/**
 * A card for a view model, in the reader's language and time zone: the template from
 * cards/<name>.json expanded with the presenter's data. Throws if a binding is left
 * unexpanded (the template names data the presenter does not give: a bug, not a user error).
 */
export function renderCard<N extends CardName>(name: N, view: CardViews[N], ctx: RenderContext): AdaptiveCard {
  const { template, bindings, slots } = loadTemplate(name);
  const card = template.expand(escapeTemplateData(present(name, view, ctx), slots)) as AdaptiveCard;
  const left = unexpandedBindings(card, bindings);
  if (left.length > 0) throw new Error(`cards/${name}.json: bindings left unexpanded: ${left.join(", ")}`);
  return restoreRawBindings(card);
}

/** The template bindings found verbatim in the strings of an expanded card (data holds no `${` at this point). */
function unexpandedBindings(card: unknown, bindings: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.includes("${")) for (const binding of bindings) if (value.includes(binding)) found.add(binding);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === "object") {
      Object.values(value).forEach(visit);
    }
  };
  visit(card);
  return [...found];
}

/**
 * The Webex `markdown` that goes with a card: shown by clients that cannot render it and in
 * notifications. The card's texts, facts and links, at most 7439 bytes; data in it written
 * the Webex markdown way (escape.ts `escapeWebexMarkdown`).
 */
export function fallbackText(card: AdaptiveCard): string {
  return truncateBytes(toWebexMarkdown(summaryLines(card).join("\n")), WEBEX_MARKDOWN_MAX_BYTES);
}
