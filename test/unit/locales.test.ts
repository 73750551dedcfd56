import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { NAMESPACES, translator } from "../../src/i18n.js";
import { projectPath } from "../../src/paths.js";

type Tree = { [key: string]: string | Tree };
const load = (locale: string, ns: string) => JSON.parse(readFileSync(projectPath("locales", locale, `${ns}.json`), "utf8")) as Tree;

function leaves(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out.set(prefix + key, value);
    else for (const [k, v] of leaves(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const base = (key: string) => key.replace(PLURAL, "");
const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).filter((p) => p !== "count").sort();

describe.each(NAMESPACES)("locale namespace %s", (ns) => {
  const en = leaves(load("en", ns));
  const ru = leaves(load("ru", ns));

  it("has every English message in Russian, with every Russian plural form, and nothing extra", () => {
    const expected = new Set<string>();
    for (const key of en.keys()) {
      if (PLURAL.test(key)) for (const form of ["one", "few", "many", "other"]) expected.add(`${base(key)}_${form}`);
      else expected.add(key);
    }
    expect([...expected].filter((k) => !ru.has(k))).toEqual([]);
    const englishBases = new Set([...en.keys()].map(base));
    expect([...ru.keys()].filter((k) => !englishBases.has(base(k)))).toEqual([]);
  });

  it("uses the same placeholders in both languages", () => {
    for (const [key, text] of en) {
      const ruText = ru.get(key) ?? ru.get(`${base(key)}_many`);
      if (ruText === undefined) continue;
      expect(placeholders(ruText), `${ns}.${key}`).toEqual(placeholders(text));
    }
  });
});

describe("Russian plurals", () => {
  it("agree with the number: 1 день, 2 дня, 5 дней, 21 день, 11 дней", () => {
    const t = translator("ru");
    const days = (count: number) => t("cards.unit.days", { count });
    expect([1, 2, 5, 21, 11, 22, 100].map(days)).toEqual(["1 день", "2 дня", "5 дней", "21 день", "11 дней", "22 дня", "100 дней"]);
    expect(translator("en")("cards.unit.days", { count: 1 })).toBe("1 day");
  });
});

describe("numbers in messages", () => {
  const all = (locale: string) => NAMESPACES.flatMap((ns) => [...leaves(load(locale, ns))].map(([key, text]) => [`${ns}.${key}`, text] as const));
  /** A bare number before the thing it counts: "{{days}} days", "{{count}} ошибок". */
  const COUNTED = {
    en: /\{\{\s*(\w+)\s*\}\}\s+(?:more\s+)?(?:days?|problems?|rows?|alerts?|use cases?|contacts?|messages?|attempts?|deployments?|items?|customers?)\b/u,
    ru: /\{\{\s*(\w+)\s*\}\}\s+(?:дн|день|дня|ошиб|строк|оповещ|сценари|контакт|сообщени|развёртывани|заказчик|попыт)\p{L}*/u,
  };

  it.each(["en", "ru"] as const)("%s: a number is counted only through plural forms", (locale) => {
    const wrong: string[] = [];
    for (const [key, text] of all(locale)) {
      const counted = COUNTED[locale].exec(text);
      if (counted && (counted[1] !== "count" || !PLURAL.test(key))) wrong.push(`${key}: ${counted[0]}`);
      if (/\{\{\s*count\s*\}\}/.test(text) && !PLURAL.test(key)) wrong.push(`${key}: {{count}} outside a plural key`);
    }
    expect(wrong).toEqual([]);
  });

  it("agree with the number in both languages where counts are shown", () => {
    const en = translator("en");
    const ru = translator("ru");
    expect(en("chat.empty.new", { count: 1 })).toBe("No use cases were added in the last day.");
    expect(en("chat.empty.new", { count: 7 })).toBe("No use cases were added in the last 7 days.");
    expect(ru("chat.empty.new", { count: 21 })).toBe("За последний 21 день новых сценариев не добавлено.");
    expect(ru("chat.empty.new", { count: 7 })).toBe("За последние 7 дней новых сценариев не добавлено.");
    expect(en("errors.ingest.refused", { file: "a.csv", count: 1 })).toContain("1 problem.");
    expect(ru("errors.ingest.refused", { file: "a.csv", count: 3 })).toContain("3 ошибки.");
    expect(ru("chat.contact.tooManyPartnerContacts", { count: 2 })).toContain("не больше 2 контактов, добавленных партнёром");
  });

  it("translate a message given as a parameter in the same language", () => {
    expect(translator("ru")("chat.contact.knownBarred", { barrier: { key: "cards.barrier.hard_bounce" } })).toContain("(постоянная ошибка доставки)");
    expect(translator("en")("chat.contact.knownBarred", { barrier: { key: "cards.barrier.unsubscribed" } })).toContain("(unsubscribed (opted out))");
  });
});
