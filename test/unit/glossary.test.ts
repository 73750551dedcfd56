import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NAMESPACES } from "../../src/i18n.js";
import { projectPath } from "../../src/paths.js";

/**
 * locales/glossary.json fixes one term per concept in each language; these tests hold every
 * locale string to it. See locales/glossary.md for the syntax of a forbidden term.
 */

type Locale = "en" | "ru";
type Term = { concept: string; en: { preferred: string; forbidden: string[] }; ru: { preferred: string; forbidden: string[] } };
type Exception = { locale: Locale; key: string; term: string; why: string };
type Glossary = { terms: Term[]; exceptions: Exception[]; latinInRussian: { allowed: string[] } };

const glossary = JSON.parse(readFileSync(projectPath("locales", "glossary.json"), "utf8")) as Glossary;

type Tree = { [key: string]: string | Tree };
function leaves(tree: Tree, prefix: string): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]) => (typeof value === "string" ? [[`${prefix}${key}`, value] as [string, string]] : leaves(value, `${prefix}${key}.`)));
}
function strings(locale: Locale): [string, string][] {
  return NAMESPACES.flatMap((ns) => leaves(JSON.parse(readFileSync(projectPath("locales", locale, `${ns}.json`), "utf8")) as Tree, `${ns}.`));
}

const fold = (text: string): string => text.toLowerCase().replaceAll("ё", "е");

/** A forbidden term as a regular expression: '*' is any letters, a space any spaces, bounded by non-letters. */
export function termPattern(term: string): RegExp {
  const body = fold(term)
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ +/g, "\\s+"))
    .join("\\p{L}*");
  return new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, "u");
}

/** Prose only: without `code spans` (command syntax), {{placeholders}}, addresses and URLs. */
const prose = (text: string): string =>
  text
    .replace(/`[^`]*`/g, " ")
    .replace(/{{[^}]*}}/g, " ")
    .replace(/\S+@\S+/g, " ")
    .replace(/https?:\/\/\S+/g, " ");

function violations(locale: Locale, texts: [string, string][]): string[] {
  const found: string[] = [];
  for (const term of glossary.terms) {
    for (const forbidden of term[locale].forbidden) {
      const pattern = termPattern(forbidden);
      for (const [key, text] of texts) {
        const excepted = glossary.exceptions.some((e) => e.locale === locale && e.key === key && e.term === forbidden);
        const match = pattern.exec(fold(prose(text)));
        if (match && !excepted) found.push(`${locale} ${key}: “${match[0]}” (${term.concept}: say “${term[locale].preferred}”)`);
      }
    }
  }
  return found;
}

describe("the glossary", () => {
  it("names each concept once, with a preferred term in both languages", () => {
    const concepts = glossary.terms.map((t) => t.concept);
    expect(new Set(concepts).size).toBe(concepts.length);
    for (const term of glossary.terms) for (const locale of ["en", "ru"] as const) expect(term[locale].preferred, term.concept).not.toBe("");
    for (const concept of ["customer", "deployment", "adoption", "digest", "regression", "Adoption Partner", "Delivery Barrier", "digital journey", "Days in stage"]) {
      expect(concepts).toContain(concept);
    }
  });

  it("fixes the seeds' Russian terms", () => {
    const ru = (concept: string) => glossary.terms.find((t) => t.concept === concept)!.ru;
    expect(ru("customer")).toEqual({ preferred: "заказчик", forbidden: expect.arrayContaining(["клиент*"]) });
    expect(ru("deployment")).toEqual({ preferred: "развёртывание", forbidden: expect.arrayContaining(["площадк*", "внедрени*"]) });
    expect(ru("adoption")).toEqual({ preferred: "освоение", forbidden: expect.arrayContaining(["внедрени*"]) });
    expect(ru("digest")).toEqual({ preferred: "сводка", forbidden: expect.arrayContaining(["дайджест*"]) });
  });

  it("never forbids a term it prefers", () => {
    for (const term of glossary.terms) {
      for (const locale of ["en", "ru"] as const) {
        for (const forbidden of term[locale].forbidden) expect(termPattern(forbidden).test(fold(term[locale].preferred)), `${term.concept} ${locale} ${forbidden}`).toBe(false);
      }
    }
  });

  it("has exceptions only for keys that exist and still need them", () => {
    for (const e of glossary.exceptions) {
      const text = new Map(strings(e.locale)).get(e.key);
      expect(text, e.key).toBeDefined();
      expect(termPattern(e.term).test(fold(prose(text!))), `${e.key} no longer uses ${e.term}: drop the exception`).toBe(true);
    }
  });
});

describe("forbidden terms", () => {
  it("match word stems across Russian inflection, and only whole words", () => {
    expect(termPattern("клиент*").test("нет клиентов")).toBe(true);
    expect(termPattern("клиент*").test("клиенту")).toBe(true);
    expect(termPattern("площадк*").test("на площадке")).toBe(true);
    expect(termPattern("откат*").test("сценарий откатился")).toBe(true);
    expect(termPattern("дайджест*").test("в дайджесте")).toBe(true);
    expect(termPattern("контакт* партн*ра").test("контактов партнера")).toBe(true);
    expect(termPattern("time in stage").test("time  in stage")).toBe(true);
    expect(termPattern("кейс*").test("юзкейс")).toBe(false);
    expect(termPattern("client*").test("the clients")).toBe(true);
    expect(termPattern("email*").test("эл. почта")).toBe(false);
  });

  it("catch a forbidden term planted in a string, and skip code spans and placeholders", () => {
    expect(violations("ru", [["x.y", "Свяжитесь с клиентом"]])).toHaveLength(1);
    expect(violations("ru", [["x.y", "Напишите `клиент Acme`: {{клиент}}"]])).toEqual([]);
    expect(violations("en", [["x.y", "Time in stage"]])).toHaveLength(1);
  });

  it.each(["en", "ru"] as const)("appear in no %s locale string", (locale) => {
    expect(violations(locale, strings(locale))).toEqual([]);
  });
});

describe("Russian strings", () => {
  const allowed = new Set(glossary.latinInRussian.allowed.map((w) => w.toLowerCase()));

  it("hold no English words beyond product names, LCA fields and acronyms", () => {
    const english: string[] = [];
    for (const [key, text] of strings("ru")) {
      const words = (prose(text).match(/[A-Za-z0-9_-]+/g) ?? []).map((w) => w.replace(/^-+|-+$/g, ""));
      // Words with a digit are identifiers (DPL101X431, 08:30), not English.
      for (const word of words) if (/[A-Za-z]/.test(word) && !/\d/.test(word) && !allowed.has(word.toLowerCase())) english.push(`${key}: ${word}`);
    }
    expect(english).toEqual([]);
  });

  it("quote with «ёлочки», not English quotes", () => {
    const quoted = strings("ru").filter(([, text]) => /[“”"]/.test(text.replace(/`[^`]*`/g, "")));
    expect(quoted.map(([key]) => key)).toEqual([]);
  });
});
