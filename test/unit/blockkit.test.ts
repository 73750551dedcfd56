import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envelopeSchema } from "../../src/protocol/envelope.js";
import type { Locale } from "../../src/config.js";
import type { AdaptiveCard, CardElement } from "../../src/cards/adaptive-card.js";
import { SLACK_LIMITS, toBlockKit, toModal, toMrkdwn, toPlain, type Block, type BlockKitMessage, type Button, type InputBlock, type View } from "../../src/cards/blockkit.js";
import { renderCard } from "../../src/cards/render.js";
import { SAMPLE_ALERTS, SAMPLE_NOW, SAMPLE_VIEWS, sampleListItems } from "../../src/cards/samples.js";
import { CARD_NAMES, type CardName, type CardViews } from "../../src/protocol/views.js";
import { projectPath } from "../../src/paths.js";

const LOCALES: Locale[] = ["en", "ru"];
const ctx = (locale: Locale) => ({ locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW });
const render = <N extends CardName>(name: N, view: CardViews[N], locale: Locale = "en") => renderCard(name, view, ctx(locale));
const card = (body: CardElement[], actions: AdaptiveCard["actions"] = []): AdaptiveCard => ({ type: "AdaptiveCard", version: "1.3", body, actions });

// ---------------------------------------------------------------------------------------
// Slack's limits, checked on every block of a message and of its modals.

function blockProblems(blocks: Block[], maxBlocks: number, where: string): string[] {
  const problems: string[] = [];
  const over = (what: string, length: number, max: number) => {
    if (length > max) problems.push(`${where} ${what}: ${length} > ${max}`);
  };
  over("blocks", blocks.length, maxBlocks);
  const actionIds = new Set<string>();
  const checkButton = (b: Button) => {
    over("button text", b.text.text.length, SLACK_LIMITS.buttonText);
    over("button value", b.value?.length ?? 0, SLACK_LIMITS.buttonValue);
    over("action_id", b.action_id.length, SLACK_LIMITS.actionId);
    over("url", b.url?.length ?? 0, SLACK_LIMITS.url);
    if (actionIds.has(b.action_id)) problems.push(`${where} duplicate action_id ${b.action_id}`);
    actionIds.add(b.action_id);
  };
  for (const block of blocks) {
    switch (block.type) {
      case "section":
        if (!block.text && !block.fields?.length) problems.push(`${where} empty section`);
        over("section text", block.text?.text.length ?? 0, SLACK_LIMITS.sectionText);
        if (block.text && block.text.text.length === 0) problems.push(`${where} empty section text`);
        over("fields", block.fields?.length ?? 0, SLACK_LIMITS.sectionFields);
        for (const field of block.fields ?? []) over("field", field.text.length, SLACK_LIMITS.fieldText);
        break;
      case "header":
        over("header", block.text.text.length, SLACK_LIMITS.headerText);
        break;
      case "context":
        over("context elements", block.elements.length, SLACK_LIMITS.contextElements);
        for (const e of block.elements) over("context text", e.text.length, SLACK_LIMITS.sectionText);
        break;
      case "actions":
        over("actions elements", block.elements.length, SLACK_LIMITS.actionsElements);
        block.elements.forEach(checkButton);
        break;
      case "input": {
        over("label", block.label.text.length, SLACK_LIMITS.inputLabel);
        over("block_id", block.block_id.length, SLACK_LIMITS.blockId);
        over("input action_id", block.element.action_id.length, SLACK_LIMITS.actionId);
        const element = block.element;
        if ("options" in element) {
          over("options", element.options.length, element.type === "radio_buttons" ? SLACK_LIMITS.radioOptions : SLACK_LIMITS.selectOptions);
          for (const o of element.options) {
            over("option text", o.text.text.length, SLACK_LIMITS.optionText);
            over("option value", o.value.length, SLACK_LIMITS.optionValue);
            if (!o.value) problems.push(`${where} empty option value`);
          }
        }
        if ("placeholder" in element && element.placeholder) over("placeholder", element.placeholder.text.length, SLACK_LIMITS.placeholder);
        break;
      }
      case "image":
        over("image url", block.image_url.length, SLACK_LIMITS.url);
        over("alt text", block.alt_text.length, SLACK_LIMITS.altText);
        break;
      case "divider":
        break;
    }
  }
  return problems;
}

function modalProblems(id: string, view: View): string[] {
  const where = `modal ${id}`;
  const problems = blockProblems(view.blocks, SLACK_LIMITS.modalBlocks, where);
  if (view.title.text.length > SLACK_LIMITS.modalTitle) problems.push(`${where} title too long`);
  if ((view.submit?.text.length ?? 0) > SLACK_LIMITS.modalButton) problems.push(`${where} submit too long`);
  if ((view.close?.text.length ?? 0) > SLACK_LIMITS.modalButton) problems.push(`${where} close too long`);
  if ((view.private_metadata?.length ?? 0) > SLACK_LIMITS.privateMetadata) problems.push(`${where} private_metadata too long`);
  if (view.callback_id.length > SLACK_LIMITS.callbackId) problems.push(`${where} callback_id too long`);
  return problems;
}

function limitProblems(message: BlockKitMessage): string[] {
  return [
    ...blockProblems(message.blocks, SLACK_LIMITS.messageBlocks, "message"),
    ...(message.text.length > SLACK_LIMITS.text ? [`text ${message.text.length}`] : []),
    ...Object.entries(message.modals).flatMap(([id, view]) => modalProblems(id, view)),
  ];
}

const buttons = (blocks: Block[]): Button[] => blocks.flatMap((b) => (b.type === "actions" ? b.elements : []));
const inputs = (blocks: Block[]): InputBlock[] => blocks.filter((b): b is InputBlock => b.type === "input");

/** What a modal submits: its first option, or an address in each text input. */
function modalValues(view: View): Record<string, string> {
  return Object.fromEntries(
    inputs(view.blocks).map((b) => [b.block_id, "options" in b.element ? (b.element.initial_option?.value ?? b.element.options[0]?.value ?? "") : "jonas@customer.example"]),
  );
}

// ---------------------------------------------------------------------------------------

describe("every card in Block Kit stays within Slack's limits", () => {
  for (const locale of LOCALES) {
    for (const name of CARD_NAMES) {
      it(`${name} [${locale}]`, () => {
        const message = toBlockKit(render(name, SAMPLE_VIEWS[name], locale), { cancelLabel: locale === "ru" ? "Отмена" : "Cancel" });
        expect(limitProblems(message)).toEqual([]);
        expect(message.blocks.length).toBeGreaterThan(0);
        expect(message.text.length).toBeGreaterThan(0);
        expect(JSON.stringify(message)).not.toContain("${");
      });
    }
  }

  it("a list of 200 rows fits in 50 blocks and keeps its paging buttons", () => {
    const message = toBlockKit(render("list", { ...SAMPLE_VIEWS.list, items: sampleListItems(200), total: 200, pageCount: 2 }));
    expect(limitProblems(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const last = message.blocks.at(-1);
    expect(last?.type).toBe("actions");
    const paging = buttons(message.blocks).map((b) => envelopeSchema.parse(JSON.parse(b.value ?? "")));
    expect(paging).toEqual([{ a: "list.page", v: 1, id: 2, q: "stalled" }]);
    expect(JSON.stringify(message.blocks)).toContain("Customer 1 AG");
  });

  it("a card of more blocks than text can merge is cut with a visible …, buttons kept", () => {
    const many = card(
      Array.from({ length: 80 }, (_, i): CardElement => ({ type: "Image", url: `https://img.example/${i}.png`, altText: `chart ${i}` })),
      [{ type: "Action.Submit", title: "Next", data: { a: "list.page", v: 1, id: 2, q: "x" } }],
    );
    const message = toBlockKit(many);
    expect(message.blocks).toHaveLength(50);
    expect(message.blocks.at(-2)).toEqual({ type: "context", elements: [{ type: "mrkdwn", text: "…" }] });
    expect(message.blocks.at(-1)?.type).toBe("actions");
    expect(toBlockKit(many, { maxBlocks: 100 }).blocks).toHaveLength(81);
  });

  it("a 10,000-character text is truncated with …", () => {
    const long = "Lorem ipsum dolor sit amet. ".repeat(400).slice(0, 10_000);
    const message = toBlockKit(render("notice", { tone: "info", title: { text: "T".repeat(200) }, text: { text: long } }));
    expect(limitProblems(message)).toEqual([]);
    const texts = message.blocks.flatMap((b) => (b.type === "section" && b.text ? [b.text.text] : []));
    expect(texts.some((t) => t.length <= 3000 && t.length > 2900 && t.endsWith("…"))).toBe(true);
    expect(texts[0]?.startsWith("*ℹ️ TTT")).toBe(true);
  });

  it("a header longer than 150 characters is truncated with …", () => {
    const view = { ...SAMPLE_ALERTS.missing_contact, reminder: 3, useCase: { ...SAMPLE_ALERTS.missing_contact.useCase, name: "Campus ".repeat(40) } };
    const message = toBlockKit(render("alert.missing_contact", view));
    expect(limitProblems(message)).toEqual([]);
    const header = message.blocks[0];
    expect(header?.type).toBe("header");
    expect(header?.type === "header" && header.text.text.length).toBe(150);
    expect(header?.type === "header" && header.text.text.endsWith("…")).toBe(true);
  });

  it("a button value longer than 2000 characters is shortened, still JSON with its envelope name and id", () => {
    const message = toBlockKit(card([], [{ type: "Action.Submit", title: "Next", data: { a: "list.page", v: 1, id: 2, q: "q".repeat(3000) } }]));
    const value = buttons(message.blocks)[0]?.value ?? "";
    expect(value.length).toBeLessThanOrEqual(2000);
    expect(JSON.parse(value)).toMatchObject({ a: "list.page", v: 1, id: 2 });
    expect((JSON.parse(value) as { q: string }).q.endsWith("…")).toBe(true);
  });

  it("long button labels, values, many buttons, facts and options are kept within limits", () => {
    const big = card(
      [
        { type: "FactSet", facts: Array.from({ length: 23 }, (_, i) => ({ title: `Fact ${i}`, value: "v".repeat(i === 0 ? 5000 : 3) })) },
        { type: "ActionSet", actions: Array.from({ length: 30 }, (_, i) => ({ type: "Action.Submit" as const, title: `${"Very long label ".repeat(8)}${i}`, data: { a: "list.page", v: 1, id: i + 1, q: "q".repeat(400) } })) },
        { type: "Input.ChoiceSet", id: "to", label: "CSM", choices: Array.from({ length: 150 }, (_, i) => ({ title: `CSM ${"x".repeat(100)} ${i}`, value: `csm${i}@partner.example` })) },
        { type: "Input.ChoiceSet", id: "slot", style: "expanded", choices: Array.from({ length: 12 }, (_, i) => ({ title: `Slot ${i}`, value: String(i) })) },
      ],
      [],
    );
    const message = toBlockKit(big);
    expect(limitProblems(message)).toEqual([]);
    const sections = message.blocks.filter((b) => b.type === "section");
    expect(sections.map((s) => (s.type === "section" ? s.fields?.length : 0))).toEqual([10, 10, 3]);
    expect(message.blocks.filter((b) => b.type === "actions").map((b) => (b.type === "actions" ? b.elements.length : 0))).toEqual([25, 5]);
    for (const b of buttons(message.blocks)) {
      expect(b.text.text.endsWith("…")).toBe(true);
      expect(envelopeSchema.safeParse(JSON.parse(b.value ?? "")).success).toBe(true);
    }
    const [select, radio] = inputs(message.blocks);
    expect(select?.element.type).toBe("static_select");
    const options = select && "options" in select.element ? select.element.options : [];
    expect(options).toHaveLength(100);
    expect(radio?.element.type).toBe("static_select"); // more than 10 choices: no radio buttons
  });
});

describe("actions become buttons and modals", () => {
  it("Action.Submit → a button whose value is the envelope, action_id = envelope name + index", () => {
    const message = toBlockKit(render("alert.stalled", SAMPLE_ALERTS.stalled));
    const assign = buttons(message.blocks).find((b) => b.action_id.startsWith("usecase.assign."));
    expect(assign?.action_id).toBe("usecase.assign.1");
    expect(envelopeSchema.parse(JSON.parse(assign?.value ?? ""))).toEqual({ a: "usecase.assign", v: 1, id: 41, ev: 2, al: 701 });
    const open = buttons(message.blocks).find((b) => b.url);
    expect(open).toMatchObject({ url: "https://lifecycle.cisco.example/use-cases/5012", action_id: "url.4" });
  });

  it("Action.ShowCard → a button opening a modal with the form's inputs and its envelope in private_metadata", () => {
    const message = toBlockKit(render("alert.stalled", SAMPLE_ALERTS.stalled, "ru"), { cancelLabel: "Отмена" });
    const take = buttons(message.blocks).find((b) => b.action_id.startsWith("modal.rec.act."));
    expect(take?.text.text).toBe("Отметить действие");
    const modal = message.modals[take!.action_id];
    expect(modal).toMatchObject({ type: "modal", callback_id: "rec.act", title: { text: "Отметить действие" }, submit: { text: "Записать" }, close: { text: "Отмена" } });
    expect(inputs(modal!.blocks).map((b) => [b.block_id, b.element.type, b.optional])).toEqual([
      ["act", "static_select", false],
      ["comment", "plain_text_input", true],
    ]);
    const act = inputs(modal!.blocks)[0]!.element;
    expect("options" in act && act.options.map((o) => o.value)).toEqual([
      "contacted_customer", "meeting_scheduled", "working_adoption_barrier", "not_my_customer", "customer_declined", "data_issue_reported",
    ]);
    expect(envelopeSchema.parse({ ...JSON.parse(modal!.private_metadata ?? ""), act: "meeting_scheduled", comment: "" })).toEqual({ a: "rec.act", v: 1, id: 701, ev: 3, act: "meeting_scheduled" });
    expect(JSON.parse(take!.value ?? "")).toEqual(JSON.parse(modal!.private_metadata ?? ""));
  });

  for (const kind of ["stalled", "bounced_contact"] as const) {
    it(`${kind}: every button value is an envelope (ShowCard ones once their modal's inputs are merged)`, () => {
      const message = toBlockKit(render(`alert.${kind}`, SAMPLE_ALERTS[kind]));
      const all = buttons(message.blocks).filter((b) => !b.url);
      // Stalled: take action, assign, snooze, add note; bounced: update contact, assign, snooze, add note.
      expect(all.length).toBe(4);
      for (const b of all) {
        const modal = message.modals[b.action_id];
        const data = { ...JSON.parse(b.value ?? ""), ...(modal ? modalValues(modal) : {}) };
        expect(envelopeSchema.safeParse(data).success, `${b.action_id}: ${JSON.stringify(data)}`).toBe(true);
      }
      const snooze = Object.values(message.modals).find((m) => m.callback_id === "alert.snooze");
      expect(modalValues(snooze!)).toEqual({ days: "7" });
    });
  }

  it("a stand-alone form becomes a modal: heading as title, Action.Submit as submit", () => {
    for (const name of ["form.contact", "form.action", "form.assign"] as const) {
      for (const locale of LOCALES) {
        const view = toModal(render(name, SAMPLE_VIEWS[name], locale));
        expect(modalProblems(name, view)).toEqual([]);
        const data = { ...JSON.parse(view.private_metadata ?? ""), ...modalValues(view) };
        expect(envelopeSchema.safeParse(data).success, `${name} [${locale}] ${JSON.stringify(data)}`).toBe(true);
        expect(view.callback_id).toBe(data.a);
      }
    }
    const assign = toModal(render("form.assign", SAMPLE_VIEWS["form.assign"], "ru"));
    expect(assign.title.text.length).toBeLessThanOrEqual(24);
    expect(assign.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Назначить развёртывание DEP8812A", emoji: true } });
    const contact = toModal(render("form.contact", SAMPLE_VIEWS["form.contact"]));
    expect(contact.title.text).toBe("Update contact");
    const slot = inputs(contact.blocks).find((b) => b.block_id === "slot");
    expect(slot?.element.type).toBe("radio_buttons");
  });
});

describe("elements", () => {
  it("TextBlock → header, section or context; FactSet → fields; ColumnSet → flattened fields; Image → image", () => {
    const message = toBlockKit(
      card([
        { type: "TextBlock", text: "Title", size: "Large" },
        { type: "TextBlock", text: "Plain **bold**", wrap: true },
        { type: "TextBlock", text: "Strong", weight: "Bolder" },
        { type: "TextBlock", text: "quiet", isSubtle: true },
        { type: "TextBlock", text: "   " },
        { type: "FactSet", facts: [{ title: "Stage", value: "Implement" }] },
        {
          type: "ColumnSet",
          columns: [
            { type: "Column", items: [{ type: "TextBlock", text: "Left" }, { type: "TextBlock", text: "below", isSubtle: true }] },
            { type: "Column", items: [{ type: "TextBlock", text: "Right" }] },
          ],
        },
        { type: "Container", separator: true, items: [{ type: "Image", url: "https://img.example/a.png", altText: "A chart" }] },
        { type: "Bogus" } as unknown as CardElement,
      ]),
    );
    expect(message.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "Title", emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: "Plain *bold*" } },
      { type: "section", text: { type: "mrkdwn", text: "*Strong*" } },
      { type: "context", elements: [{ type: "mrkdwn", text: "quiet" }] },
      { type: "section", fields: [{ type: "mrkdwn", text: "*Stage*\nImplement" }] },
      { type: "section", fields: [{ type: "mrkdwn", text: "Left\nbelow" }, { type: "mrkdwn", text: "Right" }] },
      { type: "divider" },
      { type: "image", image_url: "https://img.example/a.png", alt_text: "A chart" },
    ]);
  });

  it("markdown → mrkdwn: bold, italic, links, and &, <, > escaped", () => {
    expect(toMrkdwn("**62 days** in *Implement*")).toBe("*62 days* in _Implement_");
    expect(toMrkdwn("[Acme & Co](https://lca.example/a?b=1&c=2) · <x>")).toBe("<https://lca.example/a?b=1&c=2|Acme &amp; Co> · &lt;x&gt;");
    expect(toMrkdwn("**[Acme](https://lca.example/1)** · Campus")).toBe("*<https://lca.example/1|Acme>* · Campus");
    expect(toMrkdwn("5 * 3 = 15, a*b")).toBe("5 * 3 = 15, a*b");
    expect(toPlain("**[Acme](https://lca.example/1)** now")).toBe("Acme now");
  });

  it("the text fallback is the card's summary in mrkdwn", () => {
    const message = toBlockKit(render("list", SAMPLE_VIEWS.list));
    expect(message.text.split("\n")[0]).toBe("*Stalled use cases*");
    expect(message.text).toContain("*<https://lifecycle.cisco.example/use-cases/5000|Customer 1 AG>* · Campus Network Automation");
  });
});

describe("one alert card, two renderings (fixtures in test/fixtures/cards/)", () => {
  // Rewrite with UPDATE_FIXTURES=1 after an intended change; review the diff before committing.
  for (const locale of LOCALES) {
    it(`alert.stalled [${locale}]`, () => {
      const adaptive = render("alert.stalled", SAMPLE_ALERTS.stalled, locale);
      const renderings = { adaptive, blockkit: toBlockKit(adaptive, { cancelLabel: locale === "ru" ? "Отмена" : "Cancel" }) };
      for (const [kind, value] of Object.entries(renderings)) {
        const file = projectPath("test", "fixtures", "cards", `alert.stalled.${locale}.${kind}.json`);
        if (process.env.UPDATE_FIXTURES === "1" || !existsSync(file)) {
          mkdirSync(projectPath("test", "fixtures", "cards"), { recursive: true });
          writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
        }
        expect(value).toEqual(JSON.parse(readFileSync(file, "utf8")));
      }
    });
  }
});
