import { describe, expect, it } from "vitest";
import { SUMMARY_PAGE_SIZE, summarize, type NoticeRow } from "../../src/alerts/batch.js";
import { toBlockKit } from "../../src/cards/blockkit.js";
import { renderCard } from "../../src/cards/render.js";
import { SAMPLE_ALERTS, SAMPLE_NOW } from "../../src/cards/samples.js";
import { envelopeSchema } from "../../src/protocol/envelope.js";
import type { AlertView, SummaryView } from "../../src/protocol/views.js";

const ctx = (locale: "en" | "ru") => ({ locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW });
const hostile = '<@U123> *bold* <!channel> ${x} & "q" </script><script>alert(1)</script> [link](javascript:alert(1))';

/** A full page of the longest items the exports allow: 256-character customer and use-case names. */
function fullPage(): SummaryView {
  const items: AlertView[] = Array.from({ length: SUMMARY_PAGE_SIZE }, (_, i) => ({
    ...SAMPLE_ALERTS.stalled,
    alertId: 900 + i,
    customer: { ...SAMPLE_ALERTS.stalled.customer, name: (hostile + "C".repeat(256)).slice(0, 256) },
    useCase: { ...SAMPLE_ALERTS.stalled.useCase, name: (hostile + "U".repeat(256)).slice(0, 256) },
  }));
  return { counts: { new_use_case: 0, stalled: items.length, bounced_contact: 0, missing_contact: 0, regression: 0 }, items, page: 1, pages: 2 };
}

describe("the summary card", () => {
  it.each(["en", "ru"] as const)("fits a full page into one Slack message and one Webex card (%s)", (locale) => {
    const card = renderCard("summary", fullPage(), ctx(locale));
    // Webex refuses a message over about 28 KB; the card's JSON is what is posted.
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(24_000);
    const slack = toBlockKit(card);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    // Every item keeps its three buttons (nothing cut off by the 50-block fit).
    const buttons = slack.blocks.flatMap((b) => (b.type === "actions" ? b.elements : []));
    expect(buttons).toHaveLength(SUMMARY_PAGE_SIZE * 3);
    const actions = buttons.map((b) => ("value" in b && b.value ? envelopeSchema.parse(JSON.parse(b.value)).a : ""));
    expect(actions.filter((a) => a === "alert.show")).toHaveLength(SUMMARY_PAGE_SIZE);
    expect(actions.filter((a) => a === "usecase.assign")).toHaveLength(SUMMARY_PAGE_SIZE);
    expect(actions.filter((a) => a === "form.open")).toHaveLength(SUMMARY_PAGE_SIZE);
  });

  it("titles an escalation summary as escalated alerts, not new ones (en, ru)", () => {
    const view = { ...fullPage(), page: 1, pages: 1, escalation: true };
    const en = JSON.stringify(renderCard("summary", view, ctx("en")));
    expect(en).toContain(`Escalation: ${SUMMARY_PAGE_SIZE} alerts nobody acted on`);
    expect(en).not.toContain("new alerts");
    expect(JSON.stringify(renderCard("summary", view, ctx("ru")))).toContain(`Эскалация: ${SUMMARY_PAGE_SIZE} оповещений без реакции`);
  });

  it("escapes hostile customer and use-case names for both chats", () => {
    const card = renderCard("summary", fullPage(), ctx("en"));
    const slack = JSON.stringify(toBlockKit(card).blocks);
    expect(slack).not.toContain("<@U123>");
    expect(slack).not.toContain("<!channel>");
    expect(slack).not.toContain("](javascript:");
    expect(JSON.stringify(card)).not.toContain("](javascript:");
  });

  it("a handled item shows its state and no buttons but Show card", () => {
    const view = fullPage();
    view.items = [{ ...view.items[0]!, state: { status: "resolved", actedBy: "Anna Petrova", lastAction: "not_my_customer", at: "2025-03-04T13:02:00Z" } }];
    const slack = toBlockKit(renderCard("summary", view, ctx("en")));
    const buttons = slack.blocks.flatMap((b) => (b.type === "actions" ? b.elements : []));
    expect(buttons.map((b) => JSON.parse(("value" in b && b.value) || "{}").a)).toEqual(["alert.show"]);
    expect(JSON.stringify(slack.blocks)).toContain("Anna Petrova");
  });
});

describe("summarize", () => {
  const row = (alertId: number, destination: string, channel: string | null = null): NoticeRow => ({
    channel, destination, csmId: null, alertId, kind: "alert", payload: JSON.stringify({ alertId, notice: 0 }), dedupe: `alert:${alertId}:0:${channel ?? "any"}:${destination}`,
  });

  it("keeps the cards at exactly BATCH_OVER and summarizes one more, per destination", () => {
    const five = [1, 2, 3, 4, 5].map((id) => row(id, "csm:1"));
    expect(summarize(five, 5)).toEqual(five);
    const six = [...five, row(6, "csm:1"), row(7, "csm:2")];
    const out = summarize(six, 5);
    expect(out.map((r) => [r.kind, r.destination])).toEqual([["summary", "csm:1"], ["alert", "csm:2"]]);
    expect(JSON.parse(out[0]!.payload)).toEqual({ alertIds: [1, 2, 3, 4, 5, 6], page: 1, pages: 1 });
  });

  it("pages a large batch, and tells chats of one address apart", () => {
    const many = Array.from({ length: 23 }, (_, i) => row(i + 1, "room-1", "webex"));
    const out = summarize([...many, row(100, "room-1", "slack")], 5);
    expect(out.map((r) => [r.kind, r.channel, JSON.parse(r.payload).page ?? null])).toEqual([["summary", "webex", 1], ["summary", "webex", 2], ["summary", "webex", 3], ["alert", "slack", null]]);
    expect(new Set(out.map((r) => r.dedupe)).size).toBe(out.length);
  });
});
