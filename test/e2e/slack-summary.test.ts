import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../support/delivery.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";
import { blockText, buttons } from "../support/slack-blocks.js";
import { startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

/** A summary (issue 17) through the real Slack port and dispatcher, against the fake Slack Web API. */

const SECRET = "e2e-summary-signing-secret";
const BOT_TOKEN = "xoxb-e2e-summary";
const captured = captureLog();
let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({
    secret: SECRET,
    botToken: BOT_TOKEN,
    log: captured.log,
    users: [{ id: "U0JAMES", email: "james.lee@partner.example", locale: "en-US", name: "James Lee" }],
    redraws: { minIntervalMs: { slack: 0, webex: 0 } },
  });
});

afterAll(async () => {
  await h?.stop();
  expectNoSecrets(captured.lines, [SECRET, BOT_TOKEN]);
});

const showButtons = (blocks: unknown) => buttons(blocks).filter((b) => b.value && (JSON.parse(b.value) as { a?: string }).a === "alert.show");

describe("Slack summary", () => {
  it("posts many alerts to one person as one message, each item with Assign, Snooze and Show card", async () => {
    const james = await h.db.prisma.csm.findUniqueOrThrow({ where: { email: "james.lee@partner.example" } });
    await h.db.prisma.chatIdentity.upsert({ where: { csmId_chat: { csmId: james.id, chat: "slack" } }, create: { csmId: james.id, chat: "slack", userId: "U0JAMES", verified: true }, update: {} });
    const alerts = await h.db.prisma.alert.findMany({ where: { status: "open" }, orderBy: { id: "asc" }, take: 8, select: { id: true } });
    expect(alerts).toHaveLength(8);
    const before = h.fake.callsOf("chat.postMessage").length;
    await h.db.pool.query(
      `INSERT INTO outbox_message (channel, destination, csm_id, kind, payload, dedupe_key) VALUES ('slack', $1, $2, 'summary', $3, 'e2e:summary')`,
      [`csm:${james.id}`, james.id, JSON.stringify({ alertIds: alerts.map((a) => a.id), page: 1, pages: 1 })],
    );
    const post = await h.fake.waitFor("the summary", () => h.fake.callsOf("chat.postMessage").slice(before).find((c) => showButtons(c.args.blocks).length > 0));
    const row = async () => (await h.db.pool.query<{ status: string; external_id: string | null }>(`SELECT status::text, external_id FROM outbox_message WHERE dedupe_key = 'e2e:summary'`)).rows[0];
    await until(async () => (await row())?.status === "sent", 10_000, "the summary row recorded as sent");
    // Its message id is kept: the summary is a redraw target like a card.
    expect((await row())?.external_id).toEqual(expect.any(String));
    // One message: every item's buttons in it, within Slack's 50 blocks.
    expect(h.fake.callsOf("chat.postMessage").slice(before).filter((c) => showButtons(c.args.blocks).length > 0)).toHaveLength(1);
    const blocks = post.args.blocks as unknown[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(showButtons(blocks).map((b) => (JSON.parse(b.value!) as { id: number }).id)).toEqual(alerts.map((a) => a.id));
    const actions = buttons(blocks).map((b) => (b.value ? (JSON.parse(b.value) as { a: string }).a : "url"));
    expect(actions.filter((a) => a === "usecase.assign")).toHaveLength(8);
    expect(blockText(blocks)).toContain("8 new alerts");
  });
});
