import { readFileSync } from "node:fs";
import i18next, { type i18n } from "i18next";
import type { Locale } from "./locale.js";
import { projectPath } from "./paths.js";

/**
 * Each file locales/<lang>/<namespace>.json holds the messages under "<namespace>."; the
 * English files are the types. A new file is added here and to NAMESPACES.
 */
type EnglishMessages = {
  errors: typeof import("../locales/en/errors.json");
  ingest: typeof import("../locales/en/ingest.json");
  commands: typeof import("../locales/en/commands.json");
  cards: typeof import("../locales/en/cards.json");
  chat: typeof import("../locales/en/chat.json");
  preview: typeof import("../locales/en/preview.json");
};
export const NAMESPACES = ["errors", "ingest", "commands", "cards", "chat", "preview"] as const satisfies readonly (keyof EnglishMessages)[];

type PluralSuffix = "_one" | "_few" | "_many" | "_other" | "_zero" | "_two";
type StripPlural<K extends string> = K extends `${infer Base}${PluralSuffix}` ? Base : K;
type Leaves<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${StripPlural<K>}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every message key of the English locale: an unknown key fails the type check. */
export type MessageKey = Leaves<EnglishMessages>;
/**
 * A parameter is a value, or another message (key and parameters) translated into the same
 * language first: "LCA knows this address has a delivery barrier ({{barrier}})" takes
 * `{ barrier: { key: "cards.barrier.hard_bounce" } }`, so no sentence is built outside locales/.
 */
export type MessageParams = { [name: string]: string | number | undefined | NestedMessage };
export type NestedMessage = { key: MessageKey; params?: MessageParams };
export type Translate = (key: MessageKey, params?: MessageParams) => string;

export function loadMessages(locale: Locale): Record<string, unknown> {
  return Object.fromEntries(
    NAMESPACES.map((ns) => [ns, JSON.parse(readFileSync(projectPath("locales", locale, `${ns}.json`), "utf8")) as unknown]),
  );
}

let instance: i18n | undefined;

function i18nInstance(): i18n {
  if (!instance) {
    instance = i18next.createInstance();
    void instance.init({
      initAsync: false,
      lng: "en",
      fallbackLng: false,
      supportedLngs: ["en", "ru"],
      resources: { en: { translation: loadMessages("en") }, ru: { translation: loadMessages("ru") } },
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  }
  return instance;
}

/**
 * A translator bound to one language, one per language. The messages never change once
 * loaded, so a message is translated once per key and parameters: a card asks for the same
 * labels every time, and i18next's lookup and interpolation were a tenth of a delivery's CPU.
 */
export function translator(locale: Locale): Translate {
  let translate = translators.get(locale);
  if (!translate) translators.set(locale, (translate = memoTranslator(locale)));
  return translate;
}

const translators = new Map<Locale, Translate>();
/** Translations kept per language; emptied when full (parameters such as counts and names vary without end). */
const MAX_MEMO = 20_000;

function memoTranslator(locale: Locale): Translate {
  const t = i18nInstance().getFixedT(locale);
  const memo = new Map<string, string>();
  const translate: Translate = (key, params) => {
    const id = params === undefined ? key : `${key}\u0000${JSON.stringify(params)}`;
    let text = memo.get(id);
    if (text === undefined) {
      text = t(key, params && resolveNested(params, translate)) as string;
      if (memo.size >= MAX_MEMO) memo.clear();
      memo.set(id, text);
    }
    return text;
  };
  return translate;
}

/** The parameters with every nested message translated (JSON holds no cycles, so this ends). */
function resolveNested(params: MessageParams, translate: Translate): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) out[name] = typeof value === "object" && value !== null ? translate(value.key, value.params) : value;
  return out;
}

export function hasMessage(locale: Locale, key: string): boolean {
  return i18nInstance().exists(key, { lng: locale });
}
