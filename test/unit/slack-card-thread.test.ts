import type { BlockAction } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { cardThread, clickedAlertMessage } from "../../src/channels/slack/inbound.js";
import { shownAlertId } from "../../src/channels/webex/inbound.js";
import { shownAlert } from "../../src/protocol/envelope.js";

/** A block_actions payload of a click on a message, as much of it as the thread logic reads. */
function clickOn(message: { ts: string; thread_ts?: string; values: unknown[] }, container: Record<string, unknown> = {}, clicked?: unknown): BlockAction {
  return {
    ...(clicked !== undefined ? { actions: [{ value: JSON.stringify(clicked) }] } : {}),
    container: { type: "message", message_ts: message.ts, channel_id: "C0TEAM", is_ephemeral: false, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}), ...container },
    channel: { id: "C0TEAM" },
    message: { ts: message.ts, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}), blocks: [{ type: "actions", elements: message.values.map((v) => ({ value: JSON.stringify(v) })) }] },
  } as unknown as BlockAction;
}

const ALERT_BUTTONS = [{ v: 1, a: "usecase.assign", id: 7, ev: 1, al: 42 }];

describe("Slack: where the answer to a click goes", () => {
  it("is the thread of the alert card clicked: its own ts at the top of the channel", () => {
    const source = clickedAlertMessage(clickOn({ ts: "100.1", values: ALERT_BUTTONS }));
    expect(source).toEqual({ c: "C0TEAM", t: "100.1", a: 42 });
    expect(cardThread(source)).toEqual({ channel: "C0TEAM", threadTs: "100.1" });
  });

  it("is the root of the thread when the card is itself a reply (Slack threads are one level deep)", () => {
    const source = clickedAlertMessage(clickOn({ ts: "100.5", thread_ts: "100.1", values: ALERT_BUTTONS }));
    expect(source).toMatchObject({ t: "100.5", h: "100.1", a: 42 });
    expect(cardThread(source)).toEqual({ channel: "C0TEAM", threadTs: "100.1" });
  });

  it("is none for a message that shows no alert, or one only the person sees: the answer stays on response_url", () => {
    expect(cardThread(clickedAlertMessage(clickOn({ ts: "100.1", values: [{ v: 1, a: "list.page", page: 2 }] })))).toBeUndefined();
    expect(cardThread(clickedAlertMessage(clickOn({ ts: "100.1", values: ALERT_BUTTONS }, { is_ephemeral: true })))).toBeUndefined();
    expect(cardThread(undefined)).toBeUndefined();
  });
});

/** A summary's items: each has Assign to me (al), Snooze and Show card (id) of its own alert. */
const item = (alert: number, deployment: number) => [
  { v: 1, a: "usecase.assign", id: deployment, ev: 1, al: alert },
  { v: 1, a: "alert.snooze", id: alert, ev: 2, days: 7 },
  { v: 1, a: "alert.show", id: alert },
];
const SUMMARY = [...item(42, 7), ...item(43, 8), ...item(44, 9)];

describe("a click on a summary, which lists several alerts", () => {
  it("names the alert whose button was clicked, not the first listed", () => {
    expect(shownAlert(SUMMARY, SUMMARY[4])).toEqual({ alertId: 43, many: true });
    expect(shownAlert(SUMMARY, SUMMARY[8])).toEqual({ alertId: 44, many: true });
    expect(shownAlert(item(42, 7), item(42, 7)[0])).toEqual({ alertId: 42, many: false });
    // A clicked button naming an alert the card does not list names none.
    expect(shownAlert(SUMMARY, { v: 1, a: "alert.snooze", id: 99, ev: 1, days: 7 })).toBeUndefined();
  });

  it("Slack: the clicked item's alert is the one the redraw answers first; the answer stays in the summary's thread", () => {
    const source = clickedAlertMessage(clickOn({ ts: "100.1", values: SUMMARY }, {}, SUMMARY[7]));
    expect(source).toEqual({ c: "C0TEAM", t: "100.1", a: 44 });
    expect(cardThread(source)).toEqual({ channel: "C0TEAM", threadTs: "100.1" });
  });

  it("Webex: the clicked item's alert, marked as one of many (a summary is reposted when redrawn, so nothing is threaded under it)", () => {
    const card = { type: "AdaptiveCard", version: "1.3", body: [], actions: SUMMARY.map((data) => ({ type: "Action.Submit", title: "x", data })) };
    expect(shownAlertId(card as never, SUMMARY[1])).toEqual({ alertId: 42, many: true });
    expect(shownAlertId(card as never, SUMMARY[5])).toEqual({ alertId: 43, many: true });
    const single = { ...card, actions: item(42, 7).map((data) => ({ type: "Action.Submit", title: "x", data })) };
    expect(shownAlertId(single as never, undefined)).toEqual({ alertId: 42, many: false });
  });
});
