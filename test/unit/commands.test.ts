import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  COMMAND_NAMES,
  PARSE_ERROR_KEYS,
  commandKeyword,
  helpMessageKeys,
  parseCommand,
  parseErrorMessages,
  stripMention,
  type Command,
  type Filters,
  type ParseResult,
} from "../../src/commands/parse.js";
import { translator } from "../../src/i18n.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const localeFile = (locale: "en" | "ru"): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(ROOT, "locales", locale, "commands.json"), "utf8")) as Record<string, unknown>;
const MESSAGES = { en: localeFile("en"), ru: localeFile("ru") };

const noFilters: Filters = { tags: [], architectures: [], customers: [] };
const filters = (f: Partial<Filters>): Filters => ({ ...noFilters, ...f });

function command(text: string): { command: Command; language: "en" | "ru" } {
  const result = parseCommand(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse, got ${JSON.stringify(result)}`);
  return { command: result.command, language: result.language };
}

function failure(text: string): Extract<ParseResult, { ok: false }> {
  const result = parseCommand(text);
  if (result.ok) throw new Error(`expected "${text}" to fail, got ${JSON.stringify(result)}`);
  return result;
}

/** All leaf keys of a message file, as "commands.a.b". */
function leaves(value: unknown, prefix = "commands"): string[] {
  if (typeof value === "string") return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leaves(child, `${prefix}.${key}`));
}

function message(locale: "en" | "ru", key: string): string | undefined {
  const parts = key.split(".").slice(1);
  let node: unknown = MESSAGES[locale];
  for (const part of parts) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === "string" ? node : undefined;
}

const variables = (text: string): string[] => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();

describe("commands in English and in Russian", () => {
  const cases: [string, Command, "en" | "ru"][] = [
    ["help", { kind: "help" }, "en"],
    ["помощь", { kind: "help" }, "ru"],
    ["справка", { kind: "help" }, "ru"],
    ["help stalled", { kind: "help", topic: "stalled" }, "en"],
    ["помощь назначить", { kind: "help", topic: "assign" }, "ru"],
    ["help подписаться", { kind: "help", topic: "subscribe" }, "en"],
    ["?", { kind: "help" }, "en"],
    ["? застрявшие", { kind: "help", topic: "stalled" }, "ru"],

    ["stalled", { kind: "stalled", filters: noFilters, page: 1 }, "en"],
    ["застрявшие", { kind: "stalled", filters: noFilters, page: 1 }, "ru"],
    ["застой", { kind: "stalled", filters: noFilters, page: 1 }, "ru"],
    ["stalled tag:Enterprise arch:Networking", { kind: "stalled", filters: filters({ tags: ["Enterprise"], architectures: ["Networking"] }), page: 1 }, "en"],
    ["застрявшие тег:Enterprise арх:Networking клиент:Acme стр:2", { kind: "stalled", filters: filters({ tags: ["Enterprise"], architectures: ["Networking"], customers: ["Acme"] }), page: 2 }, "ru"],

    ["new", { kind: "new", days: 30, filters: noFilters, page: 1 }, "en"],
    ["новые", { kind: "new", days: 30, filters: noFilters, page: 1 }, "ru"],
    ["new 7", { kind: "new", days: 7, filters: noFilters, page: 1 }, "en"],
    ["new 7 days tag:SMB", { kind: "new", days: 7, filters: filters({ tags: ["SMB"] }), page: 1 }, "en"],
    ["new 14d page:3", { kind: "new", days: 14, filters: noFilters, page: 3 }, "en"],
    ["новые 90 дней клиент:\"ООО Ромашка\"", { kind: "new", days: 90, filters: filters({ customers: ["ООО Ромашка"] }), page: 1 }, "ru"],
    ["new 1", { kind: "new", days: 1, filters: noFilters, page: 1 }, "en"],
    ["new 365", { kind: "new", days: 365, filters: noFilters, page: 1 }, "en"],

    ["contacts", { kind: "contacts", filters: noFilters, page: 1 }, "en"],
    ["контакты", { kind: "contacts", filters: noFilters, page: 1 }, "ru"],
    ["contacts customer:Acme page:2", { kind: "contacts", filters: filters({ customers: ["Acme"] }), page: 2 }, "en"],
    ["контакты тег:Госсектор", { kind: "contacts", filters: filters({ tags: ["Госсектор"] }), page: 1 }, "ru"],

    ["customer 123456789", { kind: "customer", query: "123456789" }, "en"],
    ["customer Acme   Widgets Inc", { kind: "customer", query: "Acme Widgets Inc" }, "en"],
    ['customer "Acme Widgets"', { kind: "customer", query: "Acme Widgets" }, "en"],
    ["клиент ООО «Ромашка»", { kind: "customer", query: "ООО «Ромашка»" }, "ru"],
    ["заказчик 987654", { kind: "customer", query: "987654" }, "ru"],

    ["history DPL101X431", { kind: "history", query: "DPL101X431", deploymentId: "DPL101X431" }, "en"],
    ["history of dpl101x431", { kind: "history", query: "dpl101x431", deploymentId: "DPL101X431" }, "en"],
    ["history Acme Logistics GmbH", { kind: "history", query: "Acme Logistics GmbH" }, "en"],
    ["activity for customer 100200300", { kind: "history", query: "100200300" }, "en"],
    ['history "DPL101X431 Berlin"', { kind: "history", query: "DPL101X431 Berlin" }, "en"],
    ["история DPL101X431", { kind: "history", query: "DPL101X431", deploymentId: "DPL101X431" }, "ru"],
    ["история по развёртыванию DPL101X431", { kind: "history", query: "DPL101X431", deploymentId: "DPL101X431" }, "ru"],
    ["история заказчика ООО «Ромашка»", { kind: "history", query: "ООО «Ромашка»" }, "ru"],
    ["покажи историю Acme", { kind: "history", query: "Acme" }, "ru"],
    ["журнал 100200300", { kind: "history", query: "100200300" }, "ru"],

    ["usecase 42", { kind: "usecase", id: 42 }, "en"],
    ["use-case #42", { kind: "usecase", id: 42 }, "en"],
    ["сценарий 1234", { kind: "usecase", id: 1234 }, "ru"],

    ["mine", { kind: "mine", filters: noFilters, page: 1 }, "en"],
    ["мои", { kind: "mine", filters: noFilters, page: 1 }, "ru"],
    ["mine arch:Security page:2", { kind: "mine", filters: filters({ architectures: ["Security"] }), page: 2 }, "en"],
    ["мои арх:Безопасность", { kind: "mine", filters: filters({ architectures: ["Безопасность"] }), page: 1 }, "ru"],

    ["assign DPL101X431", { kind: "assign", deploymentId: "DPL101X431", to: "me" }, "en"],
    ["assign dpl101x431 to me", { kind: "assign", deploymentId: "DPL101X431", to: "me" }, "en"],
    ["assign DPL101X431 to Anna@Example.com", { kind: "assign", deploymentId: "DPL101X431", to: { email: "anna@example.com" } }, "en"],
    ["assign DPL101X431 anna@example.com", { kind: "assign", deploymentId: "DPL101X431", to: { email: "anna@example.com" } }, "en"],
    ["assign DPL101X431 <mailto:anna@example.com|anna@example.com>", { kind: "assign", deploymentId: "DPL101X431", to: { email: "anna@example.com" } }, "en"],
    ["назначить DPL101X431", { kind: "assign", deploymentId: "DPL101X431", to: "me" }, "ru"],
    ["назначить DPL101X431 мне", { kind: "assign", deploymentId: "DPL101X431", to: "me" }, "ru"],
    ["назначить мне DPL101X431", { kind: "assign", deploymentId: "DPL101X431", to: "me" }, "ru"],
    ["назначить DPL101X431 на anna@example.com", { kind: "assign", deploymentId: "DPL101X431", to: { email: "anna@example.com" } }, "ru"],

    ["subscribe stalled", { kind: "subscribe", kinds: ["stalled"], filters: noFilters, mode: "immediate" }, "en"],
    ["subscribe bounced missing tag:Enterprise digest", { kind: "subscribe", kinds: ["bounced_contact", "missing_contact"], filters: filters({ tags: ["Enterprise"] }), mode: "digest" }, "en"],
    ["subscribe regression,new_use_case immediate", { kind: "subscribe", kinds: ["new_use_case", "regression"], filters: noFilters, mode: "immediate" }, "en"],
    ["subscribe all", { kind: "subscribe", kinds: ["new_use_case", "stalled", "bounced_contact", "missing_contact", "regression"], filters: noFilters, mode: "immediate" }, "en"],
    ["подписаться застрявшие отказы тег:Enterprise дайджест", { kind: "subscribe", kinds: ["stalled", "bounced_contact"], filters: filters({ tags: ["Enterprise"] }), mode: "digest" }, "ru"],
    ["подписаться новые без-контакта регресс сразу", { kind: "subscribe", kinds: ["new_use_case", "missing_contact", "regression"], filters: noFilters, mode: "immediate" }, "ru"],
    ["подписаться все", { kind: "subscribe", kinds: ["new_use_case", "stalled", "bounced_contact", "missing_contact", "regression"], filters: noFilters, mode: "immediate" }, "ru"],

    ["unsubscribe", { kind: "unsubscribe", kinds: [] }, "en"],
    ["unsubscribe all", { kind: "unsubscribe", kinds: [] }, "en"],
    ["unsubscribe stalled regression", { kind: "unsubscribe", kinds: ["stalled", "regression"] }, "en"],
    ["отписаться", { kind: "unsubscribe", kinds: [] }, "ru"],
    ["отписаться отказы", { kind: "unsubscribe", kinds: ["bounced_contact"] }, "ru"],

    ["digest on", { kind: "digest", enabled: true }, "en"],
    ["digest off", { kind: "digest", enabled: false }, "en"],
    ["digest on 8:30", { kind: "digest", enabled: true, time: "08:30" }, "en"],
    ["digest 17:45", { kind: "digest", enabled: true, time: "17:45" }, "en"],
    ["digest on 9pm", { kind: "digest", enabled: true, time: "21:00" }, "en"],
    ["дайджест вкл 07.15", { kind: "digest", enabled: true, time: "07:15" }, "ru"],
    ["дайджест выкл", { kind: "digest", enabled: false }, "ru"],
    ["quiet 19:00-08:00", { kind: "quiet", hours: { from: "19:00", to: "08:00" } }, "en"],
    ["тишина выходные", { kind: "quiet", weekends: true }, "ru"],

    ["lang ru", { kind: "lang", locale: "ru" }, "en"],
    ["language en", { kind: "lang", locale: "en" }, "en"],
    ["язык ru", { kind: "lang", locale: "ru" }, "ru"],
    ["язык английский", { kind: "lang", locale: "en" }, "ru"],

    ["settings", { kind: "settings" }, "en"],
    ["настройки", { kind: "settings" }, "ru"],
    ["changes", { kind: "changes" }, "en"],
    ["изменения", { kind: "changes" }, "ru"],
    ["team", { kind: "team" }, "en"],
    ["show me the team", { kind: "team" }, "en"],
    ["команда", { kind: "team" }, "ru"],
    ["покажи команду", { kind: "team" }, "ru"],
    // "команды" (commands) is still help.
    ["команды", { kind: "help" }, "ru"],
  ];

  it.each(cases)("%s", (text, expected, language) => {
    expect(command(text)).toEqual({ command: expected, language });
  });

  it("has English and Russian cases for every command", () => {
    for (const name of COMMAND_NAMES) {
      const languages = new Set(cases.filter(([, c]) => c.kind === name).map(([, , language]) => language));
      expect([name, [...languages].sort()]).toEqual([name, ["en", "ru"]]);
    }
  });
});

describe("filters and paging", () => {
  it("reads quoted values with spaces, in ASCII, curly and Russian quotes", () => {
    expect(command('stalled tag:"Public Sector" arch:“Data Center” customer:«ООО Ромашка»').command).toEqual({
      kind: "stalled",
      filters: { tags: ["Public Sector"], architectures: ["Data Center"], customers: ["ООО Ромашка"] },
      page: 1,
    });
  });

  it("accumulates repeated filters, keeping case and dropping exact repeats", () => {
    expect(command("mine tag:Enterprise tag:SMB TAG:Enterprise").command).toEqual({
      kind: "mine",
      filters: filters({ tags: ["Enterprise", "SMB"] }),
      page: 1,
    });
  });

  it("takes filters anywhere after the command, and a value after `tag: `", () => {
    expect(command("new tag: Enterprise 7 page:2").command).toEqual({ kind: "new", days: 7, filters: filters({ tags: ["Enterprise"] }), page: 2 });
  });

  it("accepts the long and Russian filter names", () => {
    expect(command("stalled architecture:Collaboration теги:A метка:B заказчик:C страница:4").command).toEqual({
      kind: "stalled",
      filters: { tags: ["A", "B"], architectures: ["Collaboration"], customers: ["C"] },
      page: 4,
    });
  });

  it("keeps a colon inside a quoted value", () => {
    expect(command('contacts customer:"Acme: East"').command).toEqual({ kind: "contacts", filters: filters({ customers: ["Acme: East"] }), page: 1 });
  });
});

describe("tolerance", () => {
  it("ignores case, extra spaces, tabs and newlines", () => {
    expect(command("  STALLED \t  Tag:Enterprise\n PAGE:2  ").command).toEqual({ kind: "stalled", filters: filters({ tags: ["Enterprise"] }), page: 2 });
  });

  it("lower-cases Cyrillic and reads ё as е", () => {
    expect(command("ЗАСТРЯВШИЕ").command.kind).toBe("stalled");
    expect(command("МОЁ").command.kind).toBe("mine");
    expect(command("ПОДПИСАТЬСЯ ЗАСТРЯВШИЕ").command).toMatchObject({ kind: "subscribe", kinds: ["stalled"] });
  });

  it("reads decomposed Unicode (й typed as и + combining breve) like composed", () => {
    expect(command("назначить DPL1 мне".normalize("NFD")).command).toEqual({ kind: "assign", deploymentId: "DPL1", to: "me" });
    expect(command("язык ru".normalize("NFD")).command).toEqual({ kind: "lang", locale: "ru" });
  });

  it("tolerates a leading slash and trailing punctuation on the keyword", () => {
    expect(command("/stalled").command.kind).toBe("stalled");
    expect(command("help?").command).toEqual({ kind: "help" });
    expect(command("settings.").command).toEqual({ kind: "settings" });
  });

  it("treats empty input as a request for help", () => {
    expect(parseCommand("")).toEqual({ ok: true, command: { kind: "help" }, language: "en" });
    expect(parseCommand("   \n ")).toEqual({ ok: true, command: { kind: "help" }, language: "en" });
  });

  it("never throws, whatever is typed", () => {
    const pieces = ["stalled", "new", "assign", "digest", "subscribe", "customer", "tag:", '"', "«", "»", ":", "@", "<@U1>", "page:", "мне", "0", "99999999999999999999", "\u0000", "🙂", " "];
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pieces[Math.floor(random() * pieces.length)]).join(random() < 0.5 ? " " : "");
      parseCommand(text); // a throw fails the test
    }
    expect(parseCommand("x".repeat(100_000)).ok).toBe(false);
  });
});

describe("errors", () => {
  const errorCases: [string, string, Record<string, string | number>?][] = [
    ["foo", "commands.errors.unknown", { command: "foo", help: "help" }],
    ["абырвалг", "commands.errors.unknown", { command: "абырвалг", help: "помощь" }],
    ["help foo", "commands.errors.unknown", { command: "foo", help: "help" }],
    ["stalled foo", "commands.errors.unexpected", { token: "foo", command: "stalled", help: "help" }],
    ["застрявшие что-то", "commands.errors.unexpected", { token: "что-то", command: "застрявшие", help: "помощь" }],
    ["settings now", "commands.errors.unexpected", { token: "now", command: "settings", help: "help" }],
    ["subscribe stalled page:2", "commands.errors.unexpected", { token: "page:2", command: "subscribe", help: "help" }],
    ["unsubscribe tag:X", "commands.errors.unexpected", { token: "tag:X", command: "unsubscribe", help: "help" }],
    ["usecase 12 13", "commands.errors.unexpected", { token: "13", command: "usecase", help: "help" }],
    ["assign DPL1 DPL2", "commands.errors.unexpected", { token: "DPL2", command: "assign", help: "help" }],
    ["stalled stage:Use", "commands.errors.filter", { filter: "stage:Use" }],
    ["stalled tag:", "commands.errors.filter", { filter: "tag:" }],
    ['mine tag:""', "commands.errors.filter", { filter: 'tag:""' }],
    ["stalled page:0", "commands.errors.page", { value: "0" }],
    ["contacts стр:два", "commands.errors.page", { value: "два" }],
    ["new 0", "commands.errors.daysRange", { value: "0", min: 1, max: 365 }],
    ["new 366", "commands.errors.daysRange", { value: "366", min: 1, max: 365 }],
    // Hostile amounts: a sign, a fraction, an exponent, hex, other digits, far too many days.
    ["new -5", "commands.errors.daysRange", { value: "-5", min: 1, max: 365 }],
    ["новые -5", "commands.errors.daysRange", { value: "-5", min: 1, max: 365 }],
    ["new −5", "commands.errors.daysRange", { value: "−5", min: 1, max: 365 }],
    ["new --5", "commands.errors.daysRange", { value: "--5", min: 1, max: 365 }],
    ["new -5d", "commands.errors.daysRange", { value: "-5d", min: 1, max: 365 }],
    ["new 5-", "commands.errors.daysRange", { value: "5-", min: 1, max: 365 }],
    ["new +5", "commands.errors.daysRange", { value: "+5", min: 1, max: 365 }],
    ["new 5.5", "commands.errors.daysRange", { value: "5.5", min: 1, max: 365 }],
    ["new 1e3", "commands.errors.daysRange", { value: "1e3", min: 1, max: 365 }],
    ["new 0x10", "commands.errors.daysRange", { value: "0x10", min: 1, max: 365 }],
    ["new ٥", "commands.errors.daysRange", { value: "٥", min: 1, max: 365 }],
    ["new 100000", "commands.errors.daysRange", { value: "100000", min: 1, max: 365 }],
    ["new 99999999999999999999999", "commands.errors.daysRange", { value: "99999999999999999999999", min: 1, max: 365 }],
    ["новые много", "commands.errors.daysRange", { value: "много", min: 1, max: 365 }],
    ["usecase", "commands.errors.usecaseId", { value: "" }],
    ["usecase 0", "commands.errors.usecaseId", { value: "0" }],
    ["сценарий Campus Network Automation", "commands.errors.usecaseId", { value: "Campus" }],
    ["customer", "commands.errors.customerQuery"],
    ["history", "commands.errors.historyQuery"],
    ["история заказчика", "commands.errors.historyQuery"],
    ["history of the", "commands.errors.historyQuery"],
    ['клиент ""', "commands.errors.customerQuery"],
    ["assign", "commands.errors.deploymentId", { value: "" }],
    ["assign to me", "commands.errors.deploymentId", { value: "" }],
    ["assign DPL-101", "commands.errors.deploymentId", { value: "DPL-101" }],
    ["assign DPL101X431 to bob", "commands.errors.email", { value: "bob" }],
    ["assign DPL101X431 to", "commands.errors.email", { value: "" }],
    ["назначить DPL101X431 на anna@", "commands.errors.email", { value: "anna@" }],
    ["subscribe", "commands.errors.kinds", { value: "" }],
    ["subscribe stalled weather", "commands.errors.kinds", { value: "weather" }],
    ["отписаться погода", "commands.errors.kinds", { value: "погода" }],
    ["digest", "commands.errors.digestSwitch", { value: "" }],
    ["digest maybe", "commands.errors.digestSwitch", { value: "maybe" }],
    ["digest on 25:00", "commands.errors.digestTime", { value: "25:00" }],
    ["дайджест вкл 8", "commands.errors.digestTime", { value: "8" }],
    ["digest on 13pm", "commands.errors.digestTime", { value: "13pm" }],
    ["quiet 19:00", "commands.errors.quiet", { value: "19:00" }],
    ["lang", "commands.errors.lang", { value: "" }],
    ["язык немецкий", "commands.errors.lang", { value: "немецкий" }],
  ];

  it.each(errorCases)("%s → %s", (text, key, params) => {
    const result = failure(text);
    expect(result.error.key).toBe(key);
    if (params) expect(result.error.params).toEqual(params);
    else expect(result.error.params).toBeUndefined();
  });

  it("covers every key the parser can return", () => {
    expect(new Set(errorCases.map(([, key]) => key))).toEqual(new Set(PARSE_ERROR_KEYS));
  });

  it("tells the language of the text on failure", () => {
    expect(failure("foo").language).toBe("en");
    expect(failure("абырвалг").language).toBe("ru");
    expect(failure("застрявшие что-то").language).toBe("ru");
  });

  it("renders every error in both languages with all its parameters filled", () => {
    for (const locale of ["en", "ru"] as const) {
      const t = translator(locale);
      for (const [text] of errorCases) {
        for (const { key, params } of parseErrorMessages(failure(text))) {
          const rendered = t(key, params);
          expect(rendered, `${locale} ${key} for "${text}"`).not.toMatch(/\{\{|\}\}/);
          expect(rendered).not.toBe(key);
        }
      }
    }
  });
});

describe("did you mean", () => {
  it.each([
    ["staled", "stalled"],
    ["stalld", "stalled"],
    ["hlep", "help"],
    ["subscirbe", "subscribe"],
    ["settigns", "settings"],
    ["subscr", "subscribe"],
    ["новеы", "новые"],
    ["застрявщие", "застрявшие"],
    ["отписатся", "отписаться"],
    ["настройк", "настройки"],
    // Typed on the other keyboard layout: the suggestion is in the language meant.
    ["ыефддув", "stalled"],
    ["yjdst", "новые"],
  ])("%s → %s", (typed, expected) => {
    const result = failure(typed);
    expect(result.error).toMatchObject({ key: "commands.errors.unknown", params: { command: typed } });
    expect(result.suggestion).toBe(expected);
    expect(parseErrorMessages(result)).toEqual([result.error, { key: "commands.errors.didYouMean", params: { suggestion: expected } }]);
  });

  it("answers in the language of the suggestion", () => {
    expect(failure("новеы")).toMatchObject({ language: "ru", error: { params: { help: "помощь" } } });
    expect(failure("ыефддув")).toMatchObject({ language: "en", error: { params: { help: "help" } } });
  });

  it("suggests for a mistyped help topic too", () => {
    expect(failure("help staled").suggestion).toBe("stalled");
    expect(failure("помощь новеы").suggestion).toBe("новые");
  });

  it("suggests nothing for words far from every keyword", () => {
    for (const typed of ["xyzzy", "hm", "weather", "абырвалг", "q"]) {
      const result = failure(typed);
      expect(result.suggestion, typed).toBeUndefined();
      expect(parseErrorMessages(result)).toEqual([result.error]);
    }
  });
});

describe("stripMention", () => {
  const names = ["LCA Bot"];
  it.each([
    ["LCA Bot stalled tag:Enterprise", "stalled tag:Enterprise"],
    ["@LCA Bot stalled", "stalled"],
    ["@LCA stalled", "stalled"],
    ["LCA stalled", "stalled"],
    ["lca bot, new 7", "new 7"],
    ["LCA Bot: помощь", "помощь"],
    ["  LCA   Bot   mine ", "mine"],
    ["<@U0123ABC> stalled", "stalled"],
    ["<@U0123ABC|lca> new", "new"],
    ["LCA Bot", ""],
    ["stalled", "stalled"],
    ["LCABot stalled", "LCABot stalled"],
    ["customer LCA Bot Inc", "customer LCA Bot Inc"],
  ])("%s → %s", (text, expected) => {
    expect(stripMention(text, names)).toBe(expected);
  });

  it("strips Cyrillic bot names whatever their case", () => {
    expect(stripMention("ЛЦА бот застрявшие", ["Лца Бот"])).toBe("застрявшие");
  });

  it("does not strip a name's first word when that word is a command", () => {
    expect(stripMention("new 7", ["New Relic Bot"])).toBe("new 7");
    expect(stripMention("New Relic Bot new 7", ["New Relic Bot"])).toBe("new 7");
  });

  it("feeds parseCommand: a mention alone asks for help", () => {
    expect(parseCommand(stripMention("@LCA Bot", names))).toEqual({ ok: true, command: { kind: "help" }, language: "en" });
    expect(command(stripMention("LCA Bot stalled tag:Enterprise", names)).command).toEqual({ kind: "stalled", filters: filters({ tags: ["Enterprise"] }), page: 1 });
  });
});

describe("messages", () => {
  it("has the same keys in English and Russian", () => {
    expect(leaves(MESSAGES.ru).sort()).toEqual(leaves(MESSAGES.en).sort());
  });

  it("uses the same {{variables}} in English and Russian", () => {
    for (const key of leaves(MESSAGES.en)) {
      expect([key, variables(message("ru", key)!)]).toEqual([key, variables(message("en", key)!)]);
    }
  });

  it("has every key the parser and help can return, in both files", () => {
    const keys = [...PARSE_ERROR_KEYS, "commands.errors.didYouMean", ...helpMessageKeys(), ...COMMAND_NAMES.flatMap((name) => helpMessageKeys(name))];
    for (const locale of ["en", "ru"] as const) {
      for (const key of keys) expect(message(locale, key), `${locale}: ${key}`).toEqual(expect.any(String));
    }
  });

  it("lists every command in help, with its keyword in that language", () => {
    const all = helpMessageKeys();
    for (const name of COMMAND_NAMES) expect(all).toContain(`commands.help.commands.${name}`);
    for (const locale of ["en", "ru"] as const) {
      for (const name of COMMAND_NAMES) {
        const line = message(locale, `commands.help.commands.${name}`)!;
        expect(line, `${locale} ${name}`).toContain(`\`${commandKeyword(name, locale)}`);
      }
    }
  });

  it("gives the filters line with the help of a list command", () => {
    expect(helpMessageKeys("stalled")).toEqual(["commands.help.commands.stalled", "commands.help.filters"]);
    expect(helpMessageKeys("lang")).toEqual(["commands.help.commands.lang"]);
  });

  it("writes Russian help with the Russian filter names", () => {
    const help = message("ru", "commands.help.filters")!;
    for (const prefix of ["тег:", "арх:", "заказчик:", "стр"]) expect(help).toContain(prefix);
  });
});

describe("query text is passed on as typed", () => {
  it.each(["%", "_", "\\", "100%", "a_b", "50%_off\\now"])("customer %s is a query for that very text", (query) => {
    expect(command(`customer ${query}`).command).toEqual({ kind: "customer", query });
  });

  it("answers `new -5` in the language it was typed in, with the range", async () => {
    const { translator } = await import("../../src/i18n.js");
    const result = failure("новые -5");
    expect(result.language).toBe("ru");
    expect(translator("ru")(result.error.key, result.error.params)).toBe("Число дней должно быть целым, от 1 до 365, например `новые 7` или `новые за неделю`.");
  });
});
