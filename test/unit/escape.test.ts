import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { walkCards, walkElements, type AdaptiveCard } from "../../src/cards/adaptive-card.js";
import { toBlockKit, toModal, toMrkdwn, type Block, type BlockKitMessage, type View } from "../../src/cards/blockkit.js";
import { cleanText, decodeLiterals, escapeCardLinkLabel, escapeCardMarkdown, escapeMrkdwn, escapeWebexMarkdown, markdownLinkUrl } from "../../src/cards/escape.js";
import { escapeTemplateData, fallbackText, renderCard, slotsOf } from "../../src/cards/render.js";
import { SAMPLE_NOW, SAMPLE_VIEWS } from "../../src/cards/samples.js";
import { CARD_NAMES, type CardName, type CardViews } from "../../src/protocol/views.js";
import { mrkdwnToHtml } from "../../src/channels/preview/slack-html.js";
import { projectPath } from "../../src/paths.js";

// ---------------------------------------------------------------------------------------
// The hostile values (test/fixtures/hostile/values.json), and the readers that judge them.

interface HostileFixture {
  values: string[];
  long: { repeat: string; length: number };
  tidy: string[];
}
const fixture = JSON.parse(readFileSync(projectPath("test", "fixtures", "hostile", "values.json"), "utf8")) as HostileFixture;
const LONG = fixture.long.repeat.repeat(Math.ceil(fixture.long.length / fixture.long.repeat.length)).slice(0, fixture.long.length);
const HOSTILE = [...fixture.values, LONG];
const NEUTRAL = "Acme";
const LCA = /^https:\/\/lifecycle\.cisco\.example\//;

/** CommonMark as the adaptivecards JS renderer reads it (markdown-it), autolinking bare URLs as Slack and Webex do. */
const commonmark = new MarkdownIt("commonmark").enable("linkify");
commonmark.set({ linkify: true });
const cm = (markdown: string): string => commonmark.render(markdown);

const TAGS = ["a", "em", "strong", "code", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "img", "hr", "pre", "del", "script"] as const;
/** How many of each markup element an HTML rendering holds. */
function tagCounts(html: string): Record<string, number> {
  return Object.fromEntries(TAGS.map((tag) => [tag, (html.match(new RegExp(`<${tag}[\\s>]`, "g")) ?? []).length]));
}
/** The hrefs of an HTML rendering's links. */
const hrefs = (html: string): string[] => [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
/** The text a reader sees in an HTML rendering: no tags, entities decoded, invisible joiners gone, look-alikes read as what they stand for. */
function seen(html: string): string {
  return decodeLiterals(
    html
      .replace(/<br>/g, "\n")
      .replace(/<[^>]+>/g, "")
      .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!),
  )
    .replace(/\u2060/g, "")
    .replace(/[\u2217\u02CB\uFF3B\uFF3D]/g, (c) => ({ "\u2217": "*", "\u02CB": "`", "\uFF3B": "[", "\uFF3D": "]" })[c]!);
}
const squash = (text: string): string => text.replace(/\s+/g, " ").trim();

/** The preview's own markdown processor (assets/preview.js), run as the browser runs it, on a stub page. */
function previewMarkdown(): (text: string) => string {
  const AC: { AdaptiveCard: { onProcessMarkdown?: (text: string, result: { outputHtml: string; didProcess: boolean }) => void }; HostConfig: new () => object } = {
    AdaptiveCard: {},
    HostConfig: class {},
  };
  const document = {
    getElementById: (id: string) => (id === "preview-data" ? { textContent: JSON.stringify({ mode: "gallery" }) } : null),
    querySelectorAll: () => [],
  };
  runInNewContext(readFileSync(projectPath("src", "channels", "preview", "assets", "preview.js"), "utf8"), { document, window: { AdaptiveCards: AC } });
  const process = AC.AdaptiveCard.onProcessMarkdown;
  if (!process) throw new Error("preview.js set no markdown processor");
  return (text) => {
    const result = { outputHtml: "", didProcess: false };
    process(text, result);
    return result.outputHtml;
  };
}
const previewMd = previewMarkdown();

// ---------------------------------------------------------------------------------------

describe("the escaping functions, one per format, on each hostile value", () => {
  for (const value of HOSTILE) {
    const label = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}… (${value.length})` : value);

    it(`card markdown ${label}: CommonMark (markdown-it, autolinks on) and the preview make nothing of it, and show it as typed`, () => {
      const escaped = escapeCardMarkdown(value);
      for (const html of [cm(escaped), previewMd(escaped)]) {
        expect(tagCounts(html)).toEqual(tagCounts(""));
        expect(squash(seen(html))).toBe(squash(cleanText(value)));
      }
      expect(escaped).not.toMatch(/[*`\u202A-\u202E\u2066-\u2069]|\$\{|:\/\//);
      // Nothing lost: the joiners and look-alikes read back to the value (on one line).
      expect(decodeLiterals(escaped)).toBe(cleanText(value).replace(/[ \t]*\n[ \t]*/g, " "));
    });

    it(`card link label ${label}: inside the bot's [text](url) it keeps the bot's link whole`, () => {
      const html = cm(`**[${escapeCardLinkLabel(value)}](https://lifecycle.cisco.example/x)**`);
      expect(hrefs(html)).toEqual(["https://lifecycle.cisco.example/x"]);
      expect(squash(seen(html.match(/<a [^>]*>([\s\S]*)<\/a>/)?.[1] ?? ""))).toBe(squash(cleanText(value)));
      expect({ ...tagCounts(html), a: 0, strong: 0 }).toEqual(tagCounts(""));
    });

    it(`Webex markdown ${label}: no markup, mention or autolink, shown as typed`, () => {
      const escaped = escapeWebexMarkdown(value);
      const html = cm(escaped);
      expect(tagCounts(html)).toEqual(tagCounts(""));
      expect(squash(seen(html))).toBe(squash(cleanText(value)));
      // Webex finds mentions in the markdown before it reads it as markdown.
      expect(escaped).not.toMatch(/<@|<!|:\/\/|\$\{|(^|\s)@[a-z]/i);
    });

    it(`Slack mrkdwn ${label}: no <…> of its own, every marker joined, no quote, shown as typed`, () => {
      const escaped = escapeMrkdwn(value);
      expect(escaped).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)|:\/\/|\$\{/);
      // Each *, _, ~ and backtick has a joiner on both sides: it can neither open nor close.
      for (const m of escaped.matchAll(/[*_~`]/g)) expect([escaped[m.index - 1], escaped[m.index + 1]]).toEqual(["\u2060", "\u2060"]);
      expect(escaped).not.toMatch(/(^|\n)[ \t]*&gt;/);
      expect(escaped).not.toMatch(/(^|[\s(])@[a-z]/i);
      const html = mrkdwnToHtml(escaped).html;
      expect(tagCounts(html)).toEqual(tagCounts(""));
      expect(squash(seen(html))).toBe(squash(cleanText(value)));
    });
  }

  it("ordinary words, hyphens, periods, emails and ampersands read the same", () => {
    for (const value of fixture.tidy) {
      expect(escapeCardMarkdown(value).replace(/\u2060&\u2060/g, "&")).toBe(value);
      expect(escapeWebexMarkdown(value).replace(/\\&/g, "&")).toBe(value);
      expect(escapeMrkdwn(value).replace(/&amp;/g, "&")).toBe(value);
    }
    expect(escapeCardMarkdown("Acme Corp")).toBe("Acme Corp");
    expect(escapeCardMarkdown("Smith-Jones v2.0")).toBe("Smith-Jones v2.0");
  });

  it("direction overrides and isolates are dropped, so the bot's text after a value reads the right way", () => {
    expect(escapeCardMarkdown("Acme \u202Eevil\u202C Corp")).toBe("Acme evil Corp");
    expect(escapeMrkdwn("\u2066x\u2069")).toBe("x");
  });

  it("bare URLs lose their scheme's colon to a joiner; the bot's link URLs are only http(s), with nothing that ends them early", () => {
    expect(escapeCardMarkdown("https://evil.example")).toBe("https\u2060:\u2060//evil.example");
    expect(markdownLinkUrl("javascript:alert(1)")).toBeUndefined();
    expect(markdownLinkUrl("https://lca.example/a) [y](https://evil.example")).toBe("https://lca.example/a%29%20%5By%5D%28https://evil.example");
    expect(markdownLinkUrl(" https://lifecycle.cisco.example/use-cases/5012 ")).toBe("https://lifecycle.cisco.example/use-cases/5012");
  });
});

// ---------------------------------------------------------------------------------------
// Every card, every text field of its view set to each hostile value.

/** Fields of the view models that hold text from an export or a person (not ids, dates, enumerations or URLs). */
const TEXT_FIELDS = new Set([
  "name", "email", "crPartyId", "deploymentId", "installSite", "architecture", "solutionDomain", "contactEmail", "contactName",
  "actedBy", "lastAction", "by", "comment", "adoptionPartner", "cxbu", "theater", "actorName", "command", "text", "ref", "customer", "useCase",
  // An Activity entry's detail: an email, a CSM's name, an action or a date, as data gave it.
  "detail",
]);

/** A copy of a view with every text field (and every tag) set to `value`. */
function hostileView<T>(view: T, value: string): T {
  const walk = (node: unknown, key: string): unknown => {
    if (typeof node === "string") return TEXT_FIELDS.has(key) ? value : node;
    if (Array.isArray(node)) return key === "tags" ? node.map(() => value) : node.map((item) => walk(item, key));
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k)]));
    return node;
  };
  return walk(view, "") as T;
}

const ctx = { locale: "en" as const, timeZone: "Europe/Berlin", now: SAMPLE_NOW };

interface Rendered {
  card: AdaptiveCard;
  /** TextBlock texts and Fact titles and values: the card's markdown. */
  markdown: string[];
  /** Action and choice titles, labels, placeholders: the card's plain text. */
  plain: string[];
  webex: string;
  slack: { message?: BlockKitMessage; modal?: View; mrkdwn: string[]; plainText: string[] };
}

function blockTexts(blocks: Block[]): { mrkdwn: string[]; plainText: string[] } {
  const mrkdwn: string[] = [];
  const plainText: string[] = [];
  const text = (t: { type: string; text: string } | undefined) => t && (t.type === "mrkdwn" ? mrkdwn : plainText).push(t.text);
  for (const block of blocks) {
    if (block.type === "section") [block.text, ...(block.fields ?? [])].forEach(text);
    if (block.type === "context") block.elements.forEach(text);
    if (block.type === "header") text(block.text);
    if (block.type === "actions") block.elements.forEach((b) => text(b.text));
    if (block.type === "input") {
      text(block.label);
      if ("options" in block.element) block.element.options.forEach((o) => text(o.text));
    }
  }
  return { mrkdwn, plainText };
}

function renderAll<N extends CardName>(name: N, view: CardViews[N]): Rendered {
  const card = renderCard(name, view, ctx);
  const markdown: string[] = [];
  const plain: string[] = [];
  for (const { card: inner } of walkCards(card)) {
    for (const el of walkElements(inner.body ?? [])) {
      if (el.type === "TextBlock") markdown.push(el.text);
      if (el.type === "FactSet") el.facts.forEach((f) => markdown.push(f.title, f.value));
      if (el.type === "Input.ChoiceSet") el.choices.forEach((c) => plain.push(c.title));
      if ("label" in el && el.label) plain.push(el.label);
    }
    for (const action of inner.actions ?? []) plain.push(action.title);
  }
  const slack: Rendered["slack"] = { mrkdwn: [], plainText: [] };
  const add = (blocks: Block[]) => {
    const texts = blockTexts(blocks);
    slack.mrkdwn.push(...texts.mrkdwn);
    slack.plainText.push(...texts.plainText);
  };
  if (name.startsWith("form.")) {
    slack.modal = toModal(card, { cancelLabel: "Cancel" });
    add(slack.modal.blocks);
    slack.plainText.push(slack.modal.title.text);
  } else {
    slack.message = toBlockKit(card, { cancelLabel: "Cancel" });
    add(slack.message.blocks);
    slack.mrkdwn.push(slack.message.text);
    for (const modal of Object.values(slack.message.modals)) add(modal.blocks);
  }
  return { card, markdown, plain, webex: fallbackText(card), slack };
}

/** Every string of a card but its envelopes, URLs and choice values (which it carries, not shows). */
function shownStrings(node: unknown, key = "", parent = ""): string[] {
  if (typeof node === "string") return key === "url" || (parent === "choices" && key === "value") ? [] : [node];
  if (Array.isArray(node)) return node.flatMap((item) => shownStrings(item, key, key));
  if (node && typeof node === "object") return Object.entries(node).flatMap(([k, v]) => (k === "data" ? [] : shownStrings(v, k, parent)));
  return [];
}

const sum = (counts: Record<string, number>[]): Record<string, number> =>
  counts.reduce((total, c) => Object.fromEntries(Object.entries(c).map(([k, n]) => [k, (total[k] ?? 0) + n])), tagCounts(""));

describe("every card, with every text field set to each hostile value", () => {
  for (const name of CARD_NAMES) {
    const neutral = renderAll(name, hostileView(SAMPLE_VIEWS[name], NEUTRAL));
    const neutralCard = sum(neutral.markdown.map((m) => tagCounts(cm(m))));
    const neutralPreview = sum(neutral.markdown.map((m) => tagCounts(previewMd(m))));
    const neutralWebex = tagCounts(cm(neutral.webex));
    const neutralSlack = sum(neutral.slack.mrkdwn.map((t) => tagCounts(mrkdwnToHtml(t).html)));

    for (const value of HOSTILE) {
      const long = value === LONG;
      const label = JSON.stringify(long ? `${value.slice(0, 20)}… (${value.length})` : value);

      it(`${name} ${label}`, () => {
        const r = renderAll(name, hostileView(SAMPLE_VIEWS[name], value));

        // Adaptive Card: exactly the bot's markup (as with a tidy value), links only to LCA, the value as typed.
        expect(sum(r.markdown.map((m) => tagCounts(cm(m))))).toEqual(neutralCard);
        expect(sum(r.markdown.map((m) => tagCounts(previewMd(m))))).toEqual(neutralPreview);
        for (const href of r.markdown.flatMap((m) => hrefs(cm(m)))) expect(href).toMatch(LCA);
        for (const s of shownStrings(r.card)) expect(s).not.toMatch(/\$\{|[\u202A-\u202E\u2066-\u2069]/);
        if (name.startsWith("alert.") || name === "usecase.detail") {
          expect(r.card.actions?.find((a) => a.type === "Action.OpenUrl")).toMatchObject({ url: expect.stringMatching(LCA) });
        }
        // The value is shown as typed wherever a tidy value is shown.
        const shownText = (x: Rendered) => squash([...x.markdown.map((m) => seen(cm(m))), ...x.plain].join(" ").replace(/\u2060/g, ""));
        if (!long && shownText(neutral).includes(NEUTRAL)) expect(shownText(r)).toContain(squash(cleanText(value)));

        // Webex markdown fallback: the bot's markup only, no mention or autolink.
        const webexHtml = cm(r.webex);
        if (long) for (const [tag, n] of Object.entries(tagCounts(webexHtml))) expect(n).toBeLessThanOrEqual(neutralWebex[tag]!);
        else expect(tagCounts(webexHtml)).toEqual(neutralWebex);
        for (const href of hrefs(webexHtml)) expect(href).toMatch(LCA);
        expect(r.webex.replace(/\]\(https:\/\/lifecycle[^)]*\)/g, "")).not.toMatch(/<@|<!|:\/\/|\$\{/);

        // Slack's text when the outbox sends a card: the Webex fallback in mrkdwn (slack/port.ts messageBody).
        const fromFallback = toMrkdwn(r.webex);
        if (!long) expect(tagCounts(mrkdwnToHtml(fromFallback).html)).toEqual(tagCounts(mrkdwnToHtml(toMrkdwn(neutral.webex)).html));
        expect(fromFallback.replace(/<https:\/\/lifecycle\.cisco\.example\/[^|>]*\|/g, "")).not.toMatch(/<[^\n]*>|:\/\/|(^|\n)\s*&gt;/);

        // Slack: no <…> but the bot's LCA links, the bot's emphasis only (as the preview's Slack pane reads it).
        for (const text of r.slack.mrkdwn) {
          expect(text.replace(/<https:\/\/lifecycle\.cisco\.example\/[^|>]*\|/g, "")).not.toMatch(/<[^\n]*>|:\/\/|(^|\n)\s*&gt;/);
        }
        const slackCounts = sum(r.slack.mrkdwn.map((t) => tagCounts(mrkdwnToHtml(t).html)));
        if (long) for (const [tag, n] of Object.entries(slackCounts)) expect(n).toBeLessThanOrEqual(neutralSlack[tag]!);
        else expect(slackCounts).toEqual(neutralSlack);
        for (const href of r.slack.mrkdwn.flatMap((t) => hrefs(mrkdwnToHtml(t).html))) expect(href).toMatch(LCA);
        // plain_text needs no escaping: the value as typed, no joiners.
        for (const text of r.slack.plainText) expect(text).not.toMatch(/\u2060/);
      });
    }
  }
});

describe("template bindings in data are text", () => {
  it("a customer named ${title} or ${csm.email} is shown as such, and no binding is reported left over", () => {
    for (const value of ["${title}", "${csm.email}", "${$root.lcaUrl}"]) {
      const card = renderCard("alert.stalled", hostileView(SAMPLE_VIEWS["alert.stalled"], value), ctx);
      const customer = card.body.flatMap((el) => (el.type === "FactSet" ? el.facts : []))[0]?.value ?? "";
      expect(decodeLiterals(customer)).toContain(value);
      expect(customer).not.toContain("${");
    }
  });

  it("a list query holding ${…} stays in its envelope as typed", () => {
    const card = renderCard("list", { ...SAMPLE_VIEWS.list, page: 2, pageCount: 3, query: "stalled customer:${title}" }, ctx);
    const submit = card.actions?.find((a) => a.type === "Action.Submit");
    expect(submit).toMatchObject({ data: { q: "stalled customer:${title}" } });
  });
});

describe("the bot's own links keep working around hostile names", () => {
  it("a list row: the customer link goes to LCA, whatever the name; the name is its whole text", () => {
    const value = "Acme](https://evil.example) [y";
    const r = renderAll("list", hostileView(SAMPLE_VIEWS.list, value));
    const row = r.markdown.find((m) => m.includes("lifecycle.cisco.example"))!;
    const html = cm(row);
    expect(hrefs(html)).toHaveLength(1);
    expect(hrefs(html)[0]).toMatch(LCA);
    expect(seen(html.match(/<a [^>]*>([\s\S]*?)<\/a>/)?.[1] ?? "")).toBe(value);
    const slack = r.slack.mrkdwn.find((t) => t.includes("<https://lifecycle"))!;
    expect(hrefs(mrkdwnToHtml(slack).html)).toEqual([expect.stringMatching(LCA)]);
    expect(seen(mrkdwnToHtml(slack).html)).toContain(value);
  });
});

describe("templates: escaped by default, the bot's own markdown named …Md", () => {
  const template = {
    type: "AdaptiveCard",
    body: [
      { type: "TextBlock", text: "${title}" },
      { type: "Container", $data: "${rows}", items: [{ type: "TextBlock", text: "${titleMd}" }, { type: "TextBlock", text: "${note}" }] },
      { type: "FactSet", facts: [{ $data: "${facts}", title: "${title}", value: "${value}" }] },
      { type: "Input.ChoiceSet", id: "to", label: "${label}", choices: [{ $data: "${choices}", title: "${title}", value: "${value}" }] },
    ],
    actions: [{ type: "Action.OpenUrl", title: "${button}", url: "${url}" }, { type: "Action.Submit", title: "${button}", data: "${submit}" }],
  };

  it("finds where each binding lands: markdown, plain text or raw", () => {
    expect(Object.fromEntries(slotsOf(template))).toEqual({
      title: "markdown",
      "rows[].titleMd": "markdown",
      "rows[].note": "markdown",
      "facts[].title": "markdown",
      "facts[].value": "markdown",
      label: "plain",
      "choices[].title": "plain",
      "choices[].value": "raw",
      button: "plain",
      url: "raw",
      submit: "raw",
    });
  });

  it("escapes markdown unless named …Md, cleans plain text, leaves raw values as given", () => {
    const hostile = "*x* [y](https://evil.example) \u202E${z}";
    const data = escapeTemplateData(
      {
        title: hostile,
        rows: [{ titleMd: "**[Acme](https://lifecycle.cisco.example/1)**", note: hostile }],
        label: hostile,
        choices: [{ title: hostile, value: "_a@b.example" }],
        url: "https://lifecycle.cisco.example/1",
        submit: { a: "list.page", q: "${title}" },
      },
      slotsOf(template),
    );
    expect(data.title).toBe(escapeCardMarkdown(hostile));
    expect(data.rows).toEqual([{ titleMd: "**[Acme](https://lifecycle.cisco.example/1)**", note: escapeCardMarkdown(hostile) }]);
    expect(data.label).toBe("*x* [y](https://evil.example) $\u2060{z}");
    expect(data.choices).toEqual([{ title: "*x* [y](https://evil.example) $\u2060{z}", value: "_a@b.example" }]);
    expect(data.url).toBe("https://lifecycle.cisco.example/1");
  });
});
