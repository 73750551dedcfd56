import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envelopeSchema } from "../../src/protocol/envelope.js";
import type { Locale } from "../../src/config.js";
import { actionsOf, inputsOf, walkCards, type AdaptiveCard, type CardInput, type SubmitAction } from "../../src/cards/adaptive-card.js";
import { FORM_FIELDS } from "../../src/cards/present.js";
import { fallbackText, renderCard, WEBEX_MARKDOWN_MAX_BYTES } from "../../src/cards/render.js";
import { SAMPLE_ALERTS, SAMPLE_NOW, SAMPLE_VIEWS, sampleListItems } from "../../src/cards/samples.js";
import { MAX_ACTIONS, validateAllTemplates, validateCard } from "../../src/cards/validate.js";
import { CARD_NAMES, type AlertView, type CardName, type CardViews } from "../../src/protocol/views.js";
import { ALERT_KINDS } from "../../src/domain/recommendations.js";
import { projectPath } from "../../src/paths.js";

const LOCALES: Locale[] = ["en", "ru"];
const ctx = (locale: Locale) => ({ locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW });
const render = <N extends CardName>(name: N, view: CardViews[N], locale: Locale = "en") => renderCard(name, view, ctx(locale));
const stalled = (facts: Partial<AlertView["facts"]>, extra: Partial<AlertView> = {}): AlertView => ({
  ...SAMPLE_ALERTS.stalled,
  ...extra,
  facts: { ...SAMPLE_ALERTS.stalled.facts, ...facts },
});

/** Every Action.Submit of a card with the inputs its form supplies (its card's and those above). */
function submits(card: AdaptiveCard): { action: SubmitAction; inputs: CardInput[] }[] {
  return [...walkCards(card)].flatMap(({ card: current, ancestors }) =>
    actionsOf(current)
      .filter((a): a is SubmitAction => a.type === "Action.Submit")
      .map((action) => ({ action, inputs: [...ancestors, current].flatMap(inputsOf) })),
  );
}

/** What a user would send: the first choice of each choice set, an address in each text field. */
function filledIn(inputs: CardInput[]): Record<string, string> {
  return Object.fromEntries(inputs.map((i) => [i.id, i.type === "Input.ChoiceSet" ? (i.value ?? i.choices[0]?.value ?? "") : i.id === "email" || i.id === "to" ? "jonas@customer.example" : "a note"]));
}

/** Variations beyond the samples: reminders, resolved, empty lists, long customers, every option. */
const VARIANTS: { name: string; card: CardName; view: CardViews[CardName] }[] = [
  ...ALERT_KINDS.map((kind) => ({ name: `${kind} reminder`, card: `alert.${kind}` as const, view: { ...SAMPLE_ALERTS[kind], reminder: 2 } })),
  ...ALERT_KINDS.map((kind) => ({
    name: `${kind} resolved`,
    card: `alert.${kind}` as const,
    view: { ...SAMPLE_ALERTS[kind], state: { status: "resolved" as const, actedBy: "Anna Petrova", lastAction: "not_my_customer", at: "2025-03-04T13:02:00Z" } },
  })),
  { name: "stalled without threshold or days", card: "alert.stalled", view: { ...SAMPLE_ALERTS.stalled, facts: { stage: "implement" } } },
  { name: "empty list", card: "list", view: { kind: "contacts", query: "contacts", page: 1, pageCount: 0, total: 0, items: [] } },
  { name: "middle page", card: "list", view: { kind: "mine", query: "mine tag:DACH", page: 2, pageCount: 3, total: 25, items: sampleListItems(10) } },
  { name: "new list", card: "list", view: { kind: "new", query: "new 30", page: 3, pageCount: 3, total: 21, items: sampleListItems(1) } },
  { name: "contacts list", card: "list", view: { kind: "contacts", query: "contacts", page: 1, pageCount: 1, total: 4, items: sampleListItems(4) } },
  {
    name: "customer with many use cases",
    card: "customer.summary",
    view: {
      customer: { crPartyId: "1", name: "Big Bank" },
      deployments: Array.from({ length: 12 }, (_, d) => ({
        rowId: d + 1,
        deploymentId: `D${d}`,
        useCases: sampleListItems(5).map((item, u) => ({ id: d * 10 + u + 1, ...item.useCase, stage: item.stage, daysInStage: item.daysInStage, stalled: u === 0 })),
      })),
    },
  },
  {
    name: "detail with nothing",
    card: "usecase.detail",
    view: { ...SAMPLE_VIEWS["usecase.detail"], contacts: [], history: [], recommendation: null, openAlert: null, stalled: false, threshold: null },
  },
  { name: "assign by email", card: "form.assign", view: { ...SAMPLE_VIEWS["form.assign"], csms: null } },
  { name: "contact form, both slots taken", card: "form.contact", view: { ...SAMPLE_VIEWS["form.contact"], partnerContacts: [{ slot: 1, email: "a@c.example", barrier: "none" }, { slot: 2, email: "b@c.example", barrier: "unsubscribed" }] } },
  { name: "quiet digest", card: "digest", view: { date: "2025-03-04", counts: { stalled: 0, new_use_case: 0, bounced_contact: 0, missing_contact: 0, regression: 0 }, top: [] } },
  { name: "error notice", card: "notice", view: { tone: "error", text: { key: "errors.internal", params: { ref: "E-77" } }, ref: "E-77" } },
  { name: "snooze receipt", card: "receipt", view: { outcome: { key: "snoozed", params: { days: 7 } }, actorName: "Anna Petrova", at: "2025-03-01T08:00:00Z", comment: "back from holiday" } },
];

describe("every card renders in en and ru and passes validation", () => {
  for (const locale of LOCALES) {
    for (const name of CARD_NAMES) {
      it(`${name} [${locale}]`, () => {
        const card = render(name, SAMPLE_VIEWS[name], locale);
        expect(validateCard(card)).toEqual([]);
        expect(card.version).toBe("1.3");
        expect(JSON.stringify(card)).not.toContain("${");
        expect(fallbackText(card)).not.toContain("${");
      });
    }
    for (const variant of VARIANTS) {
      it(`${variant.card}: ${variant.name} [${locale}]`, () => {
        const card = renderCard(variant.card, variant.view as never, ctx(locale));
        expect(validateCard(card)).toEqual([]);
        expect(JSON.stringify(card)).not.toContain("${");
      });
    }
  }

  it("every form input id is a field of some envelope", () => {
    const fields = new Set(envelopeSchema.options.flatMap((o) => Object.keys(o.shape)));
    expect(FORM_FIELDS.filter((f) => !fields.has(f))).toEqual([]);
  });

  it("validateAllTemplates() finds no problem", () => {
    expect(validateAllTemplates()).toEqual([]);
  });
});

describe("alert cards", () => {
  for (const kind of ALERT_KINDS) {
    it(`${kind}: at most ${MAX_ACTIONS} actions, each submit an envelope`, () => {
      const card = render(`alert.${kind}`, SAMPLE_ALERTS[kind]);
      expect(card.actions?.length).toBeLessThanOrEqual(5);
      const all = submits(card);
      expect(all.map((s) => s.action.data.a).sort()).toEqual(
        // A contact alert leads with Update contact and offers none of the six steps with the customer.
        (kind === "bounced_contact" || kind === "missing_contact" ? ["alert.note", "alert.snooze", "contact.update", "usecase.assign"] : ["alert.note", "alert.snooze", "rec.act", "usecase.assign"]).sort(),
      );
      for (const { action, inputs } of all) {
        const parsed = envelopeSchema.safeParse({ ...action.data, ...filledIn(inputs) });
        expect(parsed.success, `${String(action.data.a)}: ${parsed.error?.message}`).toBe(true);
      }
    });
  }

  it("the take-action form offers the six recommendation actions, closing ones marked", () => {
    const card = render("alert.stalled", SAMPLE_ALERTS.stalled);
    const act = [...walkCards(card)].flatMap(({ card: c }) => inputsOf(c)).find((i) => i.id === "act");
    expect(act?.type === "Input.ChoiceSet" && act.choices.map((c) => c.value)).toEqual([
      "contacted_customer", "meeting_scheduled", "working_adoption_barrier", "not_my_customer", "customer_declined", "data_issue_reported",
    ]);
    expect(JSON.stringify(act)).toContain("Not my customer (closes the recommendation)");
  });

  it("the ids in the envelopes are the alert, deployment and use case of the view", () => {
    const card = render("alert.bounced_contact", SAMPLE_ALERTS.bounced_contact);
    const data = Object.fromEntries(submits(card).map((s) => [s.action.data.a, s.action.data]));
    expect(data["rec.act"]).toBeUndefined();
    expect(data["alert.snooze"]).toEqual({ a: "alert.snooze", v: 1, id: 703, ev: 3 });
    expect(data["usecase.assign"]).toEqual({ a: "usecase.assign", v: 1, id: 41, ev: 2, al: 703 });
    expect(data["contact.update"]).toEqual({ a: "contact.update", v: 1, id: 5012, ev: 7, slot: 1 });
  });

  it("says why it fired, in English and Russian", () => {
    expect(JSON.stringify(render("alert.stalled", SAMPLE_ALERTS.stalled, "en"))).toContain("62 days in Implement, threshold 45 days");
    expect(JSON.stringify(render("alert.stalled", SAMPLE_ALERTS.stalled, "ru"))).toContain("62 дня на этапе «Внедрение», порог 45 дней");
    expect(JSON.stringify(render("alert.regression", SAMPLE_ALERTS.regression, "en"))).toContain("Regressed from Use to Implement");
    expect(JSON.stringify(render("alert.regression", SAMPLE_ALERTS.regression, "ru"))).toContain("Регресс с этапа «Использование» на этап «Внедрение»");
    expect(JSON.stringify(render("alert.bounced_contact", SAMPLE_ALERTS.bounced_contact, "en"))).toContain("it-lead@acme-logistics.example has a delivery barrier (hard bounce)");
    expect(JSON.stringify(render("alert.new_use_case", SAMPLE_ALERTS.new_use_case, "en"))).toContain("Added on February 20, 2025, now in Onboard");
    expect(JSON.stringify(render("alert.new_use_case", SAMPLE_ALERTS.new_use_case, "ru"))).toContain("Добавлен 20 февраля 2025 г., сейчас на этапе «Подключение»");
  });

  it("shows the customer, deployment, use case path, CSM and recommendation", () => {
    const text = JSON.stringify(render("alert.stalled", SAMPLE_ALERTS.stalled));
    for (const expected of ["Acme Logistics GmbH", "DEP8812A · Berlin HQ", "Networking / Campus Network / Campus Network Automation", "Anna Petrova", "find out what is holding the adoption back"]) {
      expect(text).toContain(expected);
    }
    expect(JSON.stringify(render("alert.new_use_case", SAMPLE_ALERTS.new_use_case))).toContain("Not assigned");
  });

  it("words a reminder differently", () => {
    const view = stalled({ daysInStage: 69 }, { reminder: 2 });
    const first = render("alert.stalled", { ...view, reminder: 0 });
    const en = render("alert.stalled", view, "en");
    const ru = render("alert.stalled", view, "ru");
    expect(JSON.stringify(first)).toContain("Stalled in stage");
    expect(JSON.stringify(first)).not.toContain("reminder");
    expect(JSON.stringify(en)).toContain("Still stalled: 69 days in Implement (reminder 2)");
    expect(JSON.stringify(ru)).toContain("По-прежнему застой: 69 дней на этапе «Внедрение» (напоминание 2)");
  });

  it("a resolved alert keeps only its link and says who resolved it", () => {
    const card = render("alert.stalled", stalled({}, { state: { status: "resolved", actedBy: "Anna Petrova", lastAction: "not_my_customer", at: "2025-03-04T13:02:00Z" } }));
    expect(card.actions?.map((a) => a.type)).toEqual(["Action.OpenUrl"]);
    expect(JSON.stringify(card)).toContain("✅ Resolved: Not my customer · Anna Petrova · 14:02");
  });

  it("an open alert shows the last step", () => {
    const ru = render("alert.regression", SAMPLE_ALERTS.regression, "ru");
    expect(JSON.stringify(ru)).toContain("Последний шаг: Назначена встреча · Anna Petrova · 3 мар., 10:15");
  });
});

describe("Russian plurals and formats", () => {
  const cases: [number, string, string][] = [
    [1, "1 день на этапе", "1 day in"],
    [2, "2 дня на этапе", "2 days in"],
    [5, "5 дней на этапе", "5 days in"],
    [11, "11 дней на этапе", "11 days in"],
    [21, "21 день на этапе", "21 days in"],
    [22, "22 дня на этапе", "22 days in"],
    [111, "111 дней на этапе", "111 days in"],
  ];
  for (const [days, ru, en] of cases) {
    it(`${days}`, () => {
      const view = stalled({ daysInStage: days });
      expect(JSON.stringify(render("alert.stalled", view, "ru"))).toContain(ru);
      expect(JSON.stringify(render("alert.stalled", view, "en"))).toContain(en);
    });
  }

  it("snooze choices and receipts agree in number", () => {
    const card = JSON.stringify(render("alert.stalled", SAMPLE_ALERTS.stalled, "ru"));
    for (const choice of ['"1 день"', '"7 дней"', '"30 дней"']) expect(card).toContain(choice);
    const receipt = (days: 1 | 7 | 30) => JSON.stringify(render("receipt", { outcome: { key: "snoozed", params: { days } }, actorName: "A", at: "2025-03-04T13:02:00Z" }, "ru"));
    expect(receipt(1)).toContain("Отложено на 1 день");
    expect(receipt(7)).toContain("Отложено на 7 дней");
    expect(receipt(30)).toContain("Отложено на 30 дней");
    const customer = JSON.stringify(render("customer.summary", SAMPLE_VIEWS["customer.summary"], "ru"));
    expect(customer).toContain("3 сценария · ⚠ 1 сценарий в застое");
  });

  it("dates are formatted for the language, calendar dates without a zone shift", () => {
    expect(JSON.stringify(render("alert.stalled", SAMPLE_ALERTS.stalled, "en"))).toContain("Implement since January 1, 2025");
    expect(JSON.stringify(render("alert.stalled", SAMPLE_ALERTS.stalled, "ru"))).toContain("«Внедрение» с 1 января 2025 г.");
    const farWest = renderCard("alert.stalled", SAMPLE_ALERTS.stalled, { locale: "en", timeZone: "Pacific/Honolulu", now: SAMPLE_NOW });
    expect(JSON.stringify(farWest)).toContain("January 1, 2025");
  });

  it("numbers are grouped for the language", () => {
    const list = (locale: Locale) => JSON.stringify(render("list", { ...SAMPLE_VIEWS.list, total: 12345, pageCount: 1235 }, locale));
    expect(list("en")).toContain("Page 1 of 1,235 · 12,345 in total");
    expect(list("ru")).toContain("Страница 1 из 1\u00a0235 · всего 12\u00a0345");
  });
});

describe("receipt, list, digest, notice", () => {
  it("a receipt says what happened, when, and who", () => {
    const card = JSON.stringify(render("receipt", SAMPLE_VIEWS.receipt));
    expect(card).toContain("✅ Deployment assigned to Anna Petrova · 14:02");
    expect(card).not.toContain("By Anna Petrova");
    const byOther = JSON.stringify(render("receipt", { ...SAMPLE_VIEWS.receipt, actorName: "Ivan Sokolov" }));
    expect(byOther).toContain("By Ivan Sokolov");
    const earlier = JSON.stringify(render("receipt", { ...SAMPLE_VIEWS.receipt, at: "2025-03-01T13:02:00Z" }, "ru"));
    expect(earlier).toContain("Развёртывание назначено: Anna Petrova · 1 мар., 14:02");
    const inTokyo = JSON.stringify(render("receipt", { ...SAMPLE_VIEWS.receipt, timeZone: "Asia/Tokyo" }));
    expect(inTokyo).toContain("22:02");
  });

  it("a list pages with list.page envelopes carrying the query", () => {
    const card = render("list", { ...SAMPLE_VIEWS.list, query: "stalled tag:DACH", page: 2 });
    expect(card.actions?.map((a) => (a as SubmitAction).data)).toEqual([
      { a: "list.page", v: 1, id: 1, q: "stalled tag:DACH" },
      { a: "list.page", v: 1, id: 3, q: "stalled tag:DACH" },
    ]);
    expect(render("list", { ...SAMPLE_VIEWS.list, page: 3 }).actions).toHaveLength(1);
    const empty = render("list", { kind: "stalled", query: "stalled", page: 1, pageCount: 0, total: 0, items: [] });
    expect(empty.actions).toEqual([]);
    expect(JSON.stringify(empty)).toContain("No use case is stalled");
  });

  it("a list row links the customer to LCA and says why it is listed", () => {
    const text = JSON.stringify(render("list", SAMPLE_VIEWS.list));
    expect(text).toContain("**[Customer 1 AG](https://lifecycle.cisco.example/use-cases/5000)** · Campus Network Automation");
    expect(text).toContain("DEP1000 · 46 days in Implement, threshold 45 days");
  });

  it("a digest counts alerts per kind and lists the top items", () => {
    const text = JSON.stringify(render("digest", SAMPLE_VIEWS.digest));
    expect(text).toContain("Daily digest · March 4, 2025");
    expect(text).toContain("19 open alerts need attention.");
    expect(text).toContain('{"title":"Stalled in stage","value":"12"}');
    expect(text).toContain("Stalled in stage · 62 days in Implement, threshold 45 days");
    const ru = JSON.stringify(render("digest", SAMPLE_VIEWS.digest, "ru"));
    expect(ru).toContain("19 открытых оповещений требуют внимания.");
  });

  it("a customer card marks stalled use cases and caps its rows", () => {
    const big = VARIANTS.find((v) => v.name === "customer with many use cases")!;
    const text = JSON.stringify(renderCard("customer.summary", big.view as CardViews["customer.summary"], ctx("en")));
    expect(text).toContain("⚠ stalled");
    expect(text).toContain("… and 20 more use cases");
  });

  it("a notice translates its message and gives the reference", () => {
    const text = JSON.stringify(render("notice", { tone: "error", text: { key: "errors.internal", params: { ref: "E-77" } }, ref: "E-77" }, "ru"));
    expect(text).toContain("⛔ У нас что-то пошло не так (E-77)");
    expect(text).toContain("Код для поддержки: E-77");
  });
});

describe("Webex markdown fallback", () => {
  it("summarises the card: title, why, facts, link", () => {
    const text = fallbackText(render("alert.stalled", SAMPLE_ALERTS.stalled));
    expect(text.split("\n").slice(0, 2)).toEqual(["**Stalled in stage**", "62 days in Implement, threshold 45 days"]);
    expect(text).toContain("Customer: Acme Logistics GmbH");
    expect(text).toContain("[Open in LCA](https://lifecycle.cisco.example/use-cases/5012)");
  });

  it(`stays within ${WEBEX_MARKDOWN_MAX_BYTES} bytes, ending with "…"`, () => {
    const text = fallbackText(render("notice", { tone: "info", text: { text: "Длинный текст. ".repeat(1000) } }));
    expect(Buffer.byteLength(text, "utf8")).toBeLessThanOrEqual(WEBEX_MARKDOWN_MAX_BYTES);
    expect(text.endsWith("…")).toBe(true);
  });
});

describe("validateCard finds what is wrong", () => {
  const good = (): AdaptiveCard => structuredClone(render("alert.stalled", SAMPLE_ALERTS.stalled));

  it("more than five actions", () => {
    const card = good();
    // The stalled card has five (with Add note): one more is one too many.
    card.actions = [...(card.actions ?? []), { type: "Action.OpenUrl", title: "a", url: "https://a.example" }];
    expect(validateCard(card).join("\n")).toMatch(/6 actions, Webex shows at most 5/);
  });

  it("a submit whose data is not an envelope", () => {
    const card = good();
    card.actions = [{ type: "Action.Submit", title: "x", data: { a: "usecase.assign", v: 2, id: 0 } }];
    expect(validateCard(card).join("\n")).toMatch(/is not an envelope/);
  });

  it("an input that is not a field of its envelope, and duplicate ids", () => {
    const card = structuredClone(render("alert.stalled", SAMPLE_ALERTS.stalled));
    card.body.push({ type: "Input.Text", id: "email" }, { type: "Input.Text", id: "email" }, { type: "Input.Text", id: "colour" });
    const problems = validateCard(card).join("\n");
    expect(problems).toMatch(/input "colour" is not an envelope field/);
    expect(problems).toMatch(/input "email" is not a field of rec.act/);
    expect(problems).toMatch(/input id "email" is used 2 times/);
  });

  it("another version, unknown elements, newer properties, Action.Execute, a binding left", () => {
    const card = good();
    card.version = "1.5";
    (card.body as unknown[]).push({ type: "Table", columns: [] }, { type: "TextBlock", text: "${oops}", style: "heading" });
    (card.actions as unknown[]).push({ type: "Action.Execute", title: "x" });
    const problems = validateCard(card).join("\n");
    expect(problems).toMatch(/version is "1.5"/);
    expect(problems).toMatch(/Unknown element type "Table"/);
    expect(problems).toMatch(/"style" is supported in version 1.5/);
    expect(problems).toMatch(/Action.Execute/);
    expect(problems).toMatch(/binding is left unexpanded/);
  });

  it("not a card at all", () => {
    expect(validateCard({ type: "Message" })).toHaveLength(1);
  });
});

describe("locales/ru/cards.json has everything locales/en/cards.json has", () => {
  const read = (locale: Locale) => JSON.parse(readFileSync(projectPath("locales", locale, "cards.json"), "utf8")) as Record<string, unknown>;
  const flatten = (tree: Record<string, unknown>, prefix = ""): Map<string, string> =>
    new Map(
      Object.entries(tree).flatMap(([key, value]) =>
        typeof value === "string" ? [[`${prefix}${key}`, value] as const] : [...flatten(value as Record<string, unknown>, `${prefix}${key}.`)],
      ),
    );
  const en = flatten(read("en"));
  const ru = flatten(read("ru"));
  const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, "");
  const variables = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

  it("every key, with every Russian plural form, and the same {{variables}}", () => {
    const missing: string[] = [];
    for (const [key, text] of en) {
      const forms = key.endsWith("_one") || key.endsWith("_other") ? ["_one", "_few", "_many", "_other"].map((s) => `${base(key)}${s}`) : [key];
      for (const form of forms) {
        const translated = ru.get(form);
        if (translated === undefined) missing.push(form);
        else if (JSON.stringify(variables(translated)) !== JSON.stringify(variables(text))) missing.push(`${form}: variables ${variables(translated)} ≠ ${variables(text)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("no Russian key that English lacks", () => {
    const enBases = new Set([...en.keys()].map(base));
    expect([...ru.keys()].filter((key) => !enBases.has(base(key)))).toEqual([]);
  });

  it("a plural in English has both _one and _other", () => {
    const bases = new Set([...en.keys()].filter((k) => base(k) !== k).map(base));
    expect([...bases].filter((b) => !en.has(`${b}_one`) || !en.has(`${b}_other`))).toEqual([]);
  });
});
