import { readFileSync } from "node:fs";
import { Template } from "adaptivecards-templating";
import { projectPath } from "../paths.js";
import { summaryLines, truncateBytes, type AdaptiveCard } from "./adaptive-card.js";
import { present, type RenderContext } from "./present.js";
import type { CardName, CardViews } from "./view-models.js";

export type { RenderContext } from "./present.js";
export type { AdaptiveCard } from "./adaptive-card.js";

/** Webex: the markdown (and text) of a message holds at most 7439 bytes. */
export const WEBEX_MARKDOWN_MAX_BYTES = 7439;

interface LoadedTemplate {
  template: Template;
  /** Every `${…}` binding the template holds, to spot one left unexpanded. */
  bindings: string[];
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
    loaded = { template: new Template(payload), bindings: [...new Set(source.match(/\$\{[^}]*\}/g) ?? [])] };
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
  const { template, bindings } = loadTemplate(name);
  const card = template.expand({ $root: present(name, view, ctx) }) as AdaptiveCard;
  const left = unexpandedBindings(card, bindings);
  if (left.length > 0) throw new Error(`cards/${name}.json: bindings left unexpanded: ${left.join(", ")}`);
  return card;
}

/** The template bindings found verbatim in the strings of an expanded card. */
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
 * notifications. The card's texts, facts and links, at most 7439 bytes.
 */
export function fallbackText(card: AdaptiveCard): string {
  return truncateBytes(summaryLines(card).join("\n"), WEBEX_MARKDOWN_MAX_BYTES);
}
