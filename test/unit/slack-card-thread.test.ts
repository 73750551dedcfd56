import type { BlockAction } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { cardThread, clickedAlertMessage } from "../../src/channels/slack/inbound.js";

/** A block_actions payload of a click on a message, as much of it as the thread logic reads. */
function clickOn(message: { ts: string; thread_ts?: string; values: unknown[] }, container: Record<string, unknown> = {}): BlockAction {
  return {
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
