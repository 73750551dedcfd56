import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMAND_NAMES, PARSE_ERROR_KEYS, parseCommand, parseErrorMessages, type Command, type Filters } from "../../src/commands/parse.js";
import { translator } from "../../src/i18n.js";
import { projectPath } from "../../src/paths.js";

/**
 * How CSMs actually write to the bot, in English and Russian: full sentences, prepositions,
 * politeness, punctuation, typos in case. Written from what people type, not from the parser.
 */

const none: Filters = { tags: [], architectures: [], customers: [] };
const f = (x: Partial<Filters>): Filters => ({ ...none, ...x });
const ALL = ["new_use_case", "stalled", "bounced_contact", "missing_contact", "regression"] as const;

const stalled = (filters: Filters = none, page = 1): Command => ({ kind: "stalled", filters, page });
const fresh = (days = 30, filters: Filters = none, page = 1): Command => ({ kind: "new", days, filters, page });
const contacts = (filters: Filters = none, page = 1): Command => ({ kind: "contacts", filters, page });
const mine = (filters: Filters = none, page = 1): Command => ({ kind: "mine", filters, page });
const sub = (kinds: Command & { kind: "subscribe" } extends never ? never : (typeof ALL)[number][], mode: "immediate" | "digest" = "immediate", filters: Filters = none): Command => ({ kind: "subscribe", kinds, filters, mode });
const unsub = (kinds: (typeof ALL)[number][] = []): Command => ({ kind: "unsubscribe", kinds });

const ENGLISH: [string, Command][] = [
  // stalled
  ["stalled", stalled()],
  ["Stalled", stalled()],
  ["STALLED!", stalled()],
  ["stalled?", stalled()],
  ["  stalled   ", stalled()],
  ["show stalled", stalled()],
  ["show me stalled", stalled()],
  ["show me my stalled customers", stalled()],
  ["show me my stalled use cases", stalled()],
  ["please show stalled use cases", stalled()],
  ["what's stalled?", stalled()],
  ["what is stuck?", stalled()],
  ["which use cases are stalled", stalled()],
  ["list stalled", stalled()],
  ["my stalled", stalled()],
  ["stalled mine", stalled()],
  ["My stalled use cases please", stalled()],
  ["stalled, please", stalled()],
  ["can you show me the stalled ones?", stalled()],
  ["stuck use cases", stalled()],
  ["stalled page 2", stalled(none, 2)],
  ["stalled page:2", stalled(none, 2)],
  ["stalled, page 3", stalled(none, 3)],
  ["stalled tag:Enterprise", stalled(f({ tags: ["Enterprise"] }))],
  ["stalled for customer Acme", stalled(f({ customers: ["Acme"] }))],
  ["show stalled use cases for customer Acme Logistics", stalled(f({ customers: ["Acme Logistics"] }))],
  ["stalled customer:\"Acme Logistics\" page 2", stalled(f({ customers: ["Acme Logistics"] }), 2)],
  ["stalled tag Enterprise", stalled(f({ tags: ["Enterprise"] }))],
  ["**stalled**", stalled()],
  ["`stalled tag:Enterprise`", stalled(f({ tags: ["Enterprise"] }))],
  ["hey, what's stalled", stalled()],
  ["stalled cpi", stalled(f({ cpi: true }))],
  ["stalled use cases with CPI", stalled(f({ cpi: true }))],
  ["stalled all", { kind: "stalled", filters: none, page: 1, scope: "all" }],
  ["show me the stalled ones for the whole partner", { kind: "stalled", filters: none, page: 1, scope: "all" }],
  ["stalled unassigned", { kind: "stalled", filters: none, page: 1, scope: "unassigned" }],
  ["contacts unassigned cpi", { kind: "contacts", filters: f({ cpi: true }), page: 1, scope: "unassigned" }],
  ["stalled for all my customers", stalled()],
  // new
  ["new", fresh()],
  ["what's new?", fresh()],
  ["what's new this week", fresh(7)],
  ["new this week", fresh(7)],
  ["new last week", fresh(7)],
  ["new in the last 14 days", fresh(14)],
  ["new for the last 7 days", fresh(7)],
  ["new over the past 2 weeks", fresh(14)],
  ["new this month", fresh(30)],
  ["new today", fresh(1)],
  ["new 7", fresh(7)],
  ["new 7 days", fresh(7)],
  ["new 14d", fresh(14)],
  ["new 2w", fresh(14)],
  ["new in the last day", fresh(1)],
  ["show me new use cases from the last 90 days", fresh(90)],
  ["what was added this week?", fresh(7)],
  ["recently added use cases", fresh()],
  ["any new use cases this week?", fresh(7)],
  ["new use cases in the last 3 months", fresh(90)],
  ["new in the past year", fresh(365)],
  ["new this week page 2", fresh(7, none, 2)],
  ["new tag:SMB this week", fresh(7, f({ tags: ["SMB"] }))],
  ["my new", fresh()],
  ["New 30 days.", fresh(30)],
  // contacts
  ["contacts", contacts()],
  ["show contacts", contacts()],
  ["show me my contacts to fix", contacts()],
  ["which contacts bounced", contacts()],
  ["bounced contacts", contacts()],
  ["contacts page 2", contacts(none, 2)],
  ["contacts for customer Acme", contacts(f({ customers: ["Acme"] }))],
  ["my contacts?", contacts()],
  // mine
  ["mine", mine()],
  ["my use cases", mine()],
  ["show me my use cases", mine()],
  ["my deployments", mine()],
  ["what's assigned to me?", mine()],
  ["my customers page 2", mine(none, 2)],
  ["mine arch:Security", mine(f({ architectures: ["Security"] }))],
  // customer
  ["customer Acme", { kind: "customer", query: "Acme" }],
  ["show me customer Acme Logistics", { kind: "customer", query: "Acme Logistics" }],
  ["customer 100200300", { kind: "customer", query: "100200300" }],
  ["customer named Acme", { kind: "customer", query: "Acme" }],
  ["account Acme?", { kind: "customer", query: "Acme" }],
  ["customer Acme Inc.", { kind: "customer", query: "Acme Inc." }],
  ["stalled tag:Enterprise.", stalled(f({ tags: ["Enterprise"] }))],
  // history
  ["show me the history of DPL101X431", { kind: "history", query: "DPL101X431", deploymentId: "DPL101X431" }],
  ["history for Acme please", { kind: "history", query: "Acme" }],
  // usecase
  ["usecase 12", { kind: "usecase", id: 12 }],
  ["usecase #12", { kind: "usecase", id: 12 }],
  ["use case #12", { kind: "usecase", id: 12 }],
  ["usecase number 12", { kind: "usecase", id: 12 }],
  ["usecase DPL101X431", { kind: "usecase", deploymentId: "DPL101X431" }],
  ["usecase DPL101X431 Campus Network Automation", { kind: "usecase", deploymentId: "DPL101X431", name: "Campus Network Automation" }],
  ["usecase dpl101x431 \"Campus Network Automation\"", { kind: "usecase", deploymentId: "DPL101X431", name: "Campus Network Automation" }],
  ["show usecase Campus Network Automation on DPL101X431", { kind: "usecase", deploymentId: "DPL101X431", name: "Campus Network Automation" }],
  ["uc DEP8812A", { kind: "usecase", deploymentId: "DEP8812A" }],
  ["usecase DPL101X431 Campus Network Automation.", { kind: "usecase", deploymentId: "DPL101X431", name: "Campus Network Automation" }],
  // assign
  ["assign DPL101X431 to me", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  ["assign me DPL101X431", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  ["please assign deployment DPL101X431 to me", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  ["take DPL101X431", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  ["assign DPL101X431 to anna@example.com.", { kind: "assign", deploymentId: "DPL101X431", to: { email: "anna@example.com" } }],
  ["Assign the deployment DPL101X431 to anna@example.com please", { kind: "assign", deploymentId: "DPL101X431", to: { email: "anna@example.com" } }],
  // subscribe
  ["subscribe to stalled", sub(["stalled"])],
  ["subscribe me to stalled alerts", sub(["stalled"])],
  ["subscribe to new use cases", sub(["new_use_case"])],
  ["subscribe to stalled and bounced", sub(["stalled", "bounced_contact"])],
  ["subscribe to everything", sub([...ALL])],
  ["subscribe to all alerts in my digest", sub([...ALL], "digest")],
  ["subscribe to stalled daily", sub(["stalled"], "digest")],
  ["subscribe to regressions right away", sub(["regression"])],
  ["notify me about new use cases", sub(["new_use_case"])],
  ["sign me up for stalled alerts", sub(["stalled"])],
  ["subscribe to contacts", sub(["bounced_contact", "missing_contact"])],
  ["subscribe stalled tag:Enterprise digest", sub(["stalled"], "digest", f({ tags: ["Enterprise"] }))],
  ["I want to subscribe to missing contacts", sub(["missing_contact"])],
  // unsubscribe
  ["unsubscribe", unsub()],
  ["unsubscribe from new", unsub(["new_use_case"])],
  ["unsubscribe from stalled alerts", unsub(["stalled"])],
  ["unsubscribe me from everything", unsub()],
  ["please unsubscribe me from regression alerts", unsub(["regression"])],
  // quiet hours
  ["quiet 19:00-08:00", { kind: "quiet", hours: { from: "19:00", to: "08:00" } }],
  ["quiet from 10pm to 7am please", { kind: "quiet", hours: { from: "22:00", to: "07:00" } }],
  ["quiet weekends", { kind: "quiet", weekends: true }],
  ["quiet off", { kind: "quiet", off: true }],
  // digest
  ["digest on", { kind: "digest", enabled: true }],
  ["digest off!", { kind: "digest", enabled: false }],
  ["turn on my digest", { kind: "digest", enabled: true }],
  ["turn off the digest", { kind: "digest", enabled: false }],
  ["turn the digest off", { kind: "digest", enabled: false }],
  ["enable digest at 8:30", { kind: "digest", enabled: true, time: "08:30" }],
  ["digest at 9am", { kind: "digest", enabled: true, time: "09:00" }],
  ["set my digest to 07:45", { kind: "digest", enabled: true, time: "07:45" }],
  ["disable daily digest", { kind: "digest", enabled: false }],
  // lang
  ["lang ru", { kind: "lang", locale: "ru" }],
  ["language russian", { kind: "lang", locale: "ru" }],
  ["switch language to english", { kind: "lang", locale: "en" }],
  ["speak russian", { kind: "lang", locale: "ru" }],
  ["russian", { kind: "lang", locale: "ru" }],
  ["english please", { kind: "lang", locale: "en" }],
  // settings, help
  ["settings", { kind: "settings" }],
  ["my settings", { kind: "settings" }],
  ["show my settings please", { kind: "settings" }],
  ["changes", { kind: "changes" }],
  ["changes please", { kind: "changes" }],
  ["team", { kind: "team" }],
  ["show me the team please", { kind: "team" }],
  ["help", { kind: "help" }],
  ["help!", { kind: "help" }],
  ["help me", { kind: "help" }],
  ["what can you do?", { kind: "help" }],
  ["help with subscribe", { kind: "help", topic: "subscribe" }],
  ["help on new", { kind: "help", topic: "new" }],
  ["how do I use this?", { kind: "help" }],
];

const RUSSIAN: [string, Command][] = [
  // застрявшие
  ["застрявшие", stalled()],
  ["застрявшие с CPI", stalled(f({ cpi: true }))],
  ["покажи застрявшие сценарии cpi", stalled(f({ cpi: true }))],
  ["застрявшие все", { kind: "stalled", filters: none, page: 1, scope: "all" }],
  ["застрявшие у всех", { kind: "stalled", filters: none, page: 1, scope: "all" }],
  ["застрявшие неназначенные", { kind: "stalled", filters: none, page: 1, scope: "unassigned" }],
  ["контакты неназначенных развертываний", { kind: "contacts", filters: none, page: 1, scope: "unassigned" }],
  ["новые с CPI за неделю", fresh(7, f({ cpi: true }))],
  ["Застрявшие", stalled()],
  ["ЗАСТРЯВШИЕ!", stalled()],
  ["застрявшие?", stalled()],
  ["покажи застрявшие", stalled()],
  ["покажи мои застрявшие сценарии", stalled()],
  ["покажите, пожалуйста, застрявшие сценарии", stalled()],
  ["мои застрявшие", stalled()],
  ["застрявшие мои", stalled()],
  ["какие сценарии застряли?", stalled()],
  ["что застряло", { kind: "stalled", filters: none, page: 1 }],
  ["список застрявших", stalled()],
  ["выведи застрявшие сценарии", stalled()],
  ["застой", stalled()],
  ["зависшие", stalled()],
  ["застрявшие стр 2", stalled(none, 2)],
  ["застрявшие страница 2", stalled(none, 2)],
  ["застрявшие стр. 3", stalled(none, 3)],
  ["застрявшие стр:2", stalled(none, 2)],
  ["застрявшие тег:Госсектор", stalled(f({ tags: ["Госсектор"] }))],
  ["застрявшие у заказчика Acme", stalled(f({ customers: ["Acme"] }))],
  ["застрявшие сценарии заказчика «ООО Ромашка»", stalled(f({ customers: ["ООО Ромашка"] }))],
  ["застрявшие заказчик:Acme", stalled(f({ customers: ["Acme"] }))],
  ["застрявшие клиент:Acme", stalled(f({ customers: ["Acme"] }))],
  ["пожалуйста, застрявшие", stalled()],
  ["застрявшие, пожалуйста", stalled()],
  ["а что у меня застряло?", stalled()],
  // новые
  ["новые", fresh()],
  ["новые за 7 дней", fresh(7)],
  ["новые за неделю", fresh(7)],
  ["новые за эту неделю", fresh(7)],
  ["новые за последние 14 дней", fresh(14)],
  ["новые за 2 недели", fresh(14)],
  ["новые за две недели", fresh(14)],
  ["новые за месяц", fresh(30)],
  ["новые за последний месяц", fresh(30)],
  ["новые за квартал", fresh(90)],
  ["новые сегодня", fresh(1)],
  ["новые 7", fresh(7)],
  ["новые 14 дней", fresh(14)],
  ["новые 7дн", fresh(7)],
  ["покажи новые сценарии за неделю", fresh(7)],
  ["какие новые сценарии за неделю?", fresh(7)],
  ["что нового за неделю", fresh(7)],
  ["новые сценарии", fresh()],
  ["мои новые", fresh()],
  ["новые за неделю стр 2", fresh(7, none, 2)],
  ["новые за месяц тег:SMB", fresh(30, f({ tags: ["SMB"] }))],
  ["добавленные за неделю", fresh(7)],
  ["новые за 1 день", fresh(1)],
  ["новые за 21 день", fresh(21)],
  // контакты
  ["контакты", contacts()],
  ["покажи контакты", contacts()],
  ["мои контакты", contacts()],
  ["контакты заказчика Acme", contacts(f({ customers: ["Acme"] }))],
  ["контакты стр 2", contacts(none, 2)],
  ["отказы", contacts()],
  // мои
  ["мои", mine()],
  ["мои сценарии", mine()],
  ["покажи мои сценарии", mine()],
  ["мои развёртывания", mine()],
  ["мои заказчики", mine()],
  ["мои сценарии стр 2", mine(none, 2)],
  ["закреплённые за мной", mine()],
  // заказчик
  ["заказчик Acme", { kind: "customer", query: "Acme" }],
  ["клиент Acme", { kind: "customer", query: "Acme" }],
  ["покажи заказчика ООО «Ромашка»", { kind: "customer", query: "ООО «Ромашка»" }],
  ["заказчик 100200300", { kind: "customer", query: "100200300" }],
  ["заказчик по имени Acme", { kind: "customer", query: "Acme" }],
  // сценарий
  ["покажи, пожалуйста, историю DPL101X431", { kind: "history", query: "DPL101X431", deploymentId: "DPL101X431" }],
  ["история заказчика Ромашка", { kind: "history", query: "Ромашка" }],
  ["сценарий 12", { kind: "usecase", id: 12 }],
  ["сценарий №12", { kind: "usecase", id: 12 }],
  ["сценарий № 12", { kind: "usecase", id: 12 }],
  ["сценарий номер 12", { kind: "usecase", id: 12 }],
  ["сценарий DPL101X431", { kind: "usecase", deploymentId: "DPL101X431" }],
  ["сценарий DPL101X431 Campus Network Automation", { kind: "usecase", deploymentId: "DPL101X431", name: "Campus Network Automation" }],
  ["сценарий DPL101X431 «Campus Network Automation»", { kind: "usecase", deploymentId: "DPL101X431", name: "Campus Network Automation" }],
  ["покажи сценарий «Campus Network Automation» на DPL101X431", { kind: "usecase", deploymentId: "DPL101X431", name: "Campus Network Automation" }],
  // назначить
  ["назначить DPL101X431 мне", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  ["назначь мне DPL101X431", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  ["закрепи за мной DPL101X431", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  ["возьми DPL101X431 на меня", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  ["назначить развёртывание DPL101X431 на anna@example.com", { kind: "assign", deploymentId: "DPL101X431", to: { email: "anna@example.com" } }],
  ["пожалуйста, назначь DPL101X431 мне", { kind: "assign", deploymentId: "DPL101X431", to: "me" }],
  // подписаться
  ["подписаться на застрявшие", sub(["stalled"])],
  ["подпиши меня на новые сценарии", sub(["new_use_case"])],
  ["подпиши меня на новые", sub(["new_use_case"])],
  ["подписаться на оповещения о застрявших", sub(["stalled"])],
  ["подписаться на застрявшие и отказы", sub(["stalled", "bounced_contact"])],
  ["подписаться на всё", sub([...ALL])],
  ["подписаться на все оповещения в сводке", sub([...ALL], "digest")],
  ["подписаться на застрявшие в сводку", sub(["stalled"], "digest")],
  ["подписаться на регресс сразу", sub(["regression"])],
  ["подписаться на оповещения без контакта", sub(["missing_contact"])],
  ["подписаться на контакты", sub(["bounced_contact", "missing_contact"])],
  ["присылай мне застрявшие", sub(["stalled"])],
  ["подписаться застрявшие тег:Enterprise дайджест", sub(["stalled"], "digest", f({ tags: ["Enterprise"] }))],
  ["хочу подписаться на новые", sub(["new_use_case"])],
  // отписаться
  ["отписаться", unsub()],
  ["отписаться от новых", unsub(["new_use_case"])],
  ["отписаться от застрявших", unsub(["stalled"])],
  ["отпиши меня от всего", unsub()],
  ["отписаться от оповещений о регрессе", unsub(["regression"])],
  ["отписаться от всех оповещений", unsub()],
  // тишина
  ["тишина 19:00-08:00", { kind: "quiet", hours: { from: "19:00", to: "08:00" } }],
  ["тишина с 22:00 до 7:00 пожалуйста", { kind: "quiet", hours: { from: "22:00", to: "07:00" } }],
  ["тишина выходные", { kind: "quiet", weekends: true }],
  ["тишина выкл", { kind: "quiet", off: true }],
  // сводка
  ["сводка вкл", { kind: "digest", enabled: true }],
  ["сводка выкл", { kind: "digest", enabled: false }],
  ["дайджест вкл", { kind: "digest", enabled: true }],
  ["включи сводку", { kind: "digest", enabled: true }],
  ["выключи сводку", { kind: "digest", enabled: false }],
  ["включи ежедневную сводку в 9:00", { kind: "digest", enabled: true, time: "09:00" }],
  ["сводка в 08:30", { kind: "digest", enabled: true, time: "08:30" }],
  ["отключи дайджест", { kind: "digest", enabled: false }],
  // язык
  ["язык ru", { kind: "lang", locale: "ru" }],
  ["язык английский", { kind: "lang", locale: "en" }],
  ["говори по-русски", { kind: "lang", locale: "ru" }],
  ["по-английски", { kind: "lang", locale: "en" }],
  ["язык: русский", { kind: "lang", locale: "ru" }],
  // настройки, помощь
  ["настройки", { kind: "settings" }],
  ["мои настройки", { kind: "settings" }],
  ["покажи мои настройки", { kind: "settings" }],
  ["изменения", { kind: "changes" }],
  ["покажи изменения", { kind: "changes" }],
  ["команда", { kind: "team" }],
  ["покажи команду, пожалуйста", { kind: "team" }],
  ["помощь", { kind: "help" }],
  ["помощь!", { kind: "help" }],
  ["помоги", { kind: "help" }],
  ["что ты умеешь?", { kind: "help" }],
  ["помощь по подписаться", { kind: "help", topic: "subscribe" }],
  ["справка новые", { kind: "help", topic: "new" }],
  ["какие есть команды?", { kind: "help" }],
];

describe.each([
  ["English", ENGLISH, "en"],
  ["Russian", RUSSIAN, "ru"],
] as const)("%s phrasings", (_name, table, language) => {
  it("are at least a hundred, covering every command", () => {
    expect(table.length).toBeGreaterThanOrEqual(100);
    expect(new Set(table.map(([, c]) => c.kind))).toEqual(new Set(COMMAND_NAMES));
  });

  it.each(table)("%s", (text, expected) => {
    const result = parseCommand(text);
    expect(result).toEqual({ ok: true, command: expected, language: expect.any(String) });
    // Only a language-neutral sentence ("?") may be answered in the other language.
    if (result.ok && !/^[\p{P}\s\d]*$/u.test(text)) expect(result.language).toBe(language);
  });
});

// ---------------------------------------------------------------------------------------
// Every phrasing the help teaches parses.

type Tree = { [key: string]: string | Tree };
const leaves = (tree: Tree, prefix: string): [string, string][] =>
  Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`)));

/** Sample values for the placeholders the help uses; an unknown placeholder fails the test. */
const SAMPLES: Record<string, string[]> = {
  "<command>": ["stalled"], "<команда>": ["застрявшие"], "[command]": ["", "stalled"], "[команда]": ["", "застрявшие"],
  "[filters]": ["", "tag:Enterprise", "customer:\"Acme Logistics\" arch:Networking"], "[фильтры]": ["", "тег:Enterprise", "заказчик:«ООО Ромашка» арх:Networking"],
  "[days]": ["", "7"], "[дней]": ["", "7"],
  "<CR Party ID or name>": ["100200300", "Acme"], "<CR Party ID или название>": ["100200300", "Acme"],
  "<Deployment ID>": ["DPL101X431"],
  "<Deployment ID or customer>": ["DPL101X431", "Acme"], "<Deployment ID или заказчик>": ["DPL101X431", "Acme"], "[use case]": ["", "Campus Network Automation"], "[название]": ["", "Campus Network Automation"],
  "<email>": ["anna@example.com"], "<адрес>": ["anna@example.com"],
  "<alerts>": ["stalled", "new bounced"], "<оповещения>": ["застрявшие", "новые отказы"], "[alerts]": ["", "stalled"], "[оповещения]": ["", "застрявшие"],
  "[HH:MM]": ["", "08:30"], "[ЧЧ:ММ]": ["", "08:30"],
  "<tag>": ["Enterprise"], "<тег>": ["Enterprise"], "<architecture>": ["Networking"], "<архитектура>": ["Networking"], "<name>": ["Acme"], "<название>": ["Acme"],
};

/** `assign <Deployment ID> [to me | to <email>]` → every concrete line it stands for. */
function expand(template: string): string[] {
  // Alternatives inside brackets: "[to me | to <email>]" → "", "to me", "to <email>".
  const optional = /\[([^\][]*\|[^\][]*)\]/u.exec(template);
  if (optional) return ["", ...optional[1]!.split("|")].flatMap((alt) => expand(template.replace(optional[0], alt.trim())));
  // Top-level alternatives: "digest on | off [HH:MM]", "lang en | ru": each replaces the word before the bar.
  if (template.includes(" | ")) {
    const [head, ...alts] = template.split(" | ");
    const words = head!.split(" ");
    const stem = words.slice(0, -1).join(" ");
    return [head!, ...alts.map((alt) => `${stem} ${alt}`)].flatMap(expand);
  }
  const placeholder = /<[^<>]+>|\[[^\][]+\]|HH:MM|ЧЧ:ММ/u.exec(template);
  if (!placeholder) return [template.replace(/\s+/g, " ").trim()];
  const samples = SAMPLES[placeholder[0]] ?? (placeholder[0] === "HH:MM" || placeholder[0] === "ЧЧ:ММ" ? ["08:30"] : undefined);
  if (!samples) throw new Error(`no sample for the help placeholder ${placeholder[0]} in “${template}”`);
  return samples.flatMap((sample) => expand(template.replace(placeholder[0], sample)));
}

describe.each(["en", "ru"] as const)("what the %s help teaches", (locale) => {
  const commands = leaves(JSON.parse(readFileSync(projectPath("locales", locale, "commands.json"), "utf8")) as Tree, "commands.");
  const spans = commands.flatMap(([key, text]) => [...text.matchAll(/`([^`]+)`/g)].map((m) => [key, m[1]!] as const));
  const preview = JSON.parse(readFileSync(projectPath("locales", locale, "preview.json"), "utf8")) as { section: { conversationHint: string } };
  const hint = preview.section.conversationHint.replace(/^[^:]*:\s*/u, "").replace(/\.$/u, "").split(/,\s*/u);

  const examples = [
    ...spans.filter(([, span]) => !span.includes("{{")).flatMap(([key, span]) => expand(span).map((line) => [key, line] as const)),
    ...hint.map((line) => ["preview.section.conversationHint", line] as const),
  ];
  // A fragment is taught as part of a command: `page:2`, `tag:"Public Sector"` of a list, `missing` of subscribe.
  const asCommand = (line: string): string =>
    [line, `${locale === "en" ? "stalled" : "застрявшие"} ${line}`, `${locale === "en" ? "subscribe" : "подписаться"} ${line}`].find((l) => parseCommand(l).ok) ?? line;

  it("has examples to check", () => {
    expect(examples.length).toBeGreaterThan(30);
  });

  it.each(examples)("%s: %s", (_key, line) => {
    const result = parseCommand(asCommand(line));
    expect(result.ok ? result.command : result).toEqual(expect.objectContaining({ kind: expect.any(String) }));
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------
// Hostile input: never a throw, always an answer a person can read.

describe("hostile input", () => {
  const hostile = [
    "x".repeat(100_000),
    "stalled ".repeat(20_000),
    "тег:".repeat(5_000),
    "\u0000\u0001\u0002stalled\u0007",
    "stalled\u0000tag:x",
    "<!channel> stalled",
    "<!here>",
    "<!channel>",
    "<@U123> <!everyone> help",
    "*stalled*",
    "**new** _this week_",
    "# stalled",
    "[stalled](http://evil.example)",
    "<script>alert(1)</script>",
    "'; DROP TABLE customer; --",
    "customer %",
    "customer ' OR 1=1 --",
    "usecase 99999999999999999999999",
    "usecase DPL101X431 " + "A".repeat(10_000),
    "new 1e9",
    "new -5",
    "new Infinity",
    "new NaN days",
    "page:99999",
    "stalled page 99999",
    "digest on 99:99",
    "«««««",
    "\"\"\"\"",
    "🙂🙂🙂",
    "\u202Estalled",
    "stalled\u200B",
    "ｓｔａｌｌｅｄ",
    "...",
    "!!!",
    "?",
    "\t\n\r",
  ];

  it.each(hostile.map((text) => [text.length > 60 ? `${text.slice(0, 60)}… (${text.length} chars)` : JSON.stringify(text), text]))("%s", (_label, text) => {
    const started = Date.now();
    const result = parseCommand(text);
    expect(Date.now() - started).toBeLessThan(2000);
    if (!result.ok) {
      expect(PARSE_ERROR_KEYS).toContain(result.error.key);
      for (const locale of ["en", "ru"] as const) {
        for (const message of parseErrorMessages(result)) {
          const rendered = translator(locale)(message.key, message.params);
          expect(rendered).not.toMatch(/\{\{|\}\}/);
          expect(rendered.length).toBeLessThan(5_000);
        }
      }
    }
  });

  it("reads through control and direction characters a paste may carry", () => {
    expect(parseCommand("\u0000\u0001\u0002stalled\u0007")).toEqual({ ok: true, command: stalled(), language: "en" });
    expect(parseCommand("\u202Estalled\u202C")).toEqual({ ok: true, command: stalled(), language: "en" });
  });

  it("does not read Slack's channel-wide mentions as anything but noise", () => {
    expect(parseCommand("<!channel> stalled")).toEqual({ ok: true, command: stalled(), language: "en" });
    expect(parseCommand("<!here>")).toMatchObject({ ok: true, command: { kind: "help" } });
  });

  it("answers unknown sentences with did-you-mean in the typer's language", () => {
    expect(parseCommand("show me staled use cases")).toMatchObject({ ok: false, suggestion: "stalled", language: "en" });
    expect(parseCommand("покажи застрявщие")).toMatchObject({ ok: false, suggestion: "застрявшие", language: "ru" });
    expect(parseCommand("пожалуйста, подпищись на новые")).toMatchObject({ ok: false, language: "ru" });
    expect(parseCommand("what is the weather")).toMatchObject({ ok: false, error: { key: "commands.errors.unknown", params: { help: "help" } }, language: "en" });
    expect(parseCommand("какая сегодня погода")).toMatchObject({ ok: false, error: { key: "commands.errors.unknown", params: { help: "помощь" } }, language: "ru" });
  });

  it("refuses a negative or impossible period instead of guessing", () => {
    expect(parseCommand("new -5")).toMatchObject({ ok: false, error: { key: "commands.errors.daysRange", params: { value: "-5" } } });
    expect(parseCommand("new 2 years")).toMatchObject({ ok: false, error: { key: "commands.errors.daysRange" } });
    expect(parseCommand("новые за 13 месяцев")).toMatchObject({ ok: false, error: { key: "commands.errors.daysRange" } });
  });
});
