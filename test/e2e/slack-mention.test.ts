import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryContext } from "../../src/actions/context.js";
import { mentionText } from "../../src/channels/slack/inbound.js";
import { translator } from "../../src/i18n.js";
import { projectPath } from "../../src/paths.js";
import { stalled } from "../../src/queries/queries.js";
import { eventBody, FAKE_BOT_USER_ID, postSigned, type RecordedCall } from "../support/fake-slack.js";
import { startSlackHarness, type SlackHarness } from "../support/slack-harness.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";
import { blockText } from "../support/slack-blocks.js";

/**
 * Mentions of the bot in Slack channels, end to end: signed `app_mention` events through the
 * real Bolt receiver, answered in the mention's thread on a fake Slack Web API.
 */

const SECRET = "e2e-mention-signing-secret-7a2d";
const BOT_TOKEN = "xoxb-e2e-mention-token";
const captured = captureLog();
const en = translator("en");
const ru = translator("ru");

let seq = 0;

const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, "0")}`;

/** Someone writes `text` mentioning the bot in `channel` (in the thread `threadTs`, if given); Slack posts the signed event. */
async function mention(user: string, channel: string, text: string, threadTs?: string) {
  const ts = nextTs();
  const event = { type: "app_mention", user, text: `<@${FAKE_BOT_USER_ID}> ${text}`, ts, channel, ...(threadTs ? { thread_ts: threadTs } : {}) };
  const post = await postSigned(h.eventsUrl, SECRET, eventBody(event, `EvM${seq}`), { contentType: "application/json" });
  expect(post.status).toBe(200);
  return { ts };
}

/** The bot's answers in `channel` posted after call index `since`. */
const postedIn = (channel: string, since: number): RecordedCall[] => h.fake.calls.slice(since).filter((c) => c.method === "chat.postMessage" && c.args.channel === channel);

async function answerIn(channel: string, since: number): Promise<RecordedCall> {
  return h.fake.waitFor(`an answer in ${channel}`, () => postedIn(channel, since)[0]);
}

const csmId = async (email: string) => (await h.db.prisma.csm.findUniqueOrThrow({ where: { email } })).id;

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({
    secret: SECRET,
    botToken: BOT_TOKEN,
    log: captured.log,
    env: { TEAM_SPACES: "slack:C0TEAM=Team" },
    users: [
      { id: FAKE_BOT_USER_ID, email: null, name: "LCA" },
      { id: "U0ANNA", email: "anna.petrova@partner.example", locale: "ru-RU", name: "Анна Петрова" },
      { id: "U0JAMES", email: "james.lee@partner.example", locale: "en-US", name: "James Lee" },
      { id: "U0STRANGER", email: "x@other.example", locale: "en-US" },
    ],
  });
});

afterAll(async () => {
  await h?.stop();
  expectNoSecrets(captured.lines, [SECRET, BOT_TOKEN]);
});


describe("Slack: mentions in channels", () => {
  it("answers `@LCA stalled` in a channel in the thread of the mention, with the CSM's list, for the channel to read", async () => {
    const expected = await stalled(queryContext(h.deps), { filters: { tags: [], architectures: [], customers: [] }, page: 1, csmId: await csmId("james.lee@partner.example"), query: "stalled" });
    expect(expected.total).toBeGreaterThan(0);
    const since = h.fake.calls.length;
    const { ts } = await mention("U0JAMES", "C0TEAM", "stalled");
    const answer = await answerIn("C0TEAM", since);
    expect(answer.args.thread_ts).toBe(ts);
    const text = blockText(answer.args.blocks);
    expect(text).toContain(en("cards.list.title.stalled"));
    expect(text).toContain(expected.items[0]!.customer.name);
    // Posted in the channel, not as an ephemeral only the asker sees.
    expect(h.fake.calls.slice(since).filter((c) => c.method === "chat.postEphemeral")).toEqual([]);
    expect(postedIn("C0TEAM", since)).toHaveLength(1);
  });

  it("answers a mention inside a thread in that same thread, in Russian for a Russian-speaking CSM (`@LCA застрявшие`)", async () => {
    const since = h.fake.calls.length;
    const parent = "1700000000.000100";
    await mention("U0ANNA", "C0TEAM", "застрявшие", parent);
    const answer = await answerIn("C0TEAM", since);
    expect(answer.args.thread_ts).toBe(parent);
    const text = blockText(answer.args.blocks);
    expect([ru("cards.list.title.stalled"), ru("chat.empty.stalled")].some((t) => text.includes(t))).toBe(true);
    expect(text).not.toContain(en("cards.list.title.stalled"));
  });

  it("refuses a stranger's mention in the thread, with no customer data", async () => {
    const since = h.fake.calls.length;
    const { ts } = await mention("U0STRANGER", "C0TEAM", "stalled");
    const answer = await answerIn("C0TEAM", since);
    expect(answer.args.thread_ts).toBe(ts);
    const text = blockText(answer.args.blocks);
    expect(text).toContain(en("chat.refusal.outsideDomain", { partner: h.config.partner.name, domains: "partner.example" }));
    expect(text).not.toContain(en("cards.list.title.stalled"));
    const customers = await h.db.prisma.customer.findMany({ select: { name: true } });
    for (const { name } of customers) expect(text).not.toContain(name);
  });

  it("shows help as it is typed in a channel, `@LCA stalled`, and says a mention is answered in the thread", async () => {
    const since = h.fake.calls.length;
    await mention("U0JAMES", "C0TEAM", "help");
    // As a reader sees it: without the invisible joiners escaping puts around markup characters.
    const text = blockText((await answerIn("C0TEAM", since)).args.blocks).replace(/\u2060/g, "");
    expect(text).toContain("*@LCA stalled*");
    expect(text).toContain(en("commands.help.mention", { example: "@LCA stalled" }));
  });

  it("answers a mention in the DM with the bot once: the DM listener does, the mention listener leaves it", async () => {
    const since = h.fake.calls.length;
    const ts = nextTs();
    const text = `<@${FAKE_BOT_USER_ID}> help`;
    // Slack delivers the DM message, and (when it does) the mention of it too.
    for (const [event, id] of [
      [{ type: "message", channel: "DU0JAMES", channel_type: "im", user: "U0JAMES", text, ts }, "EvDM1"],
      [{ type: "app_mention", channel: "DU0JAMES", user: "U0JAMES", text, ts }, "EvDM2"],
    ] as const) {
      expect((await postSigned(h.eventsUrl, SECRET, eventBody(event, id), { contentType: "application/json" })).status).toBe(200);
    }
    await answerIn("DU0JAMES", since);
    // Then a channel mention after both, so the DM's would have been answered by now.
    const after = h.fake.calls.length;
    await mention("U0JAMES", "C0TEAM", "help");
    await answerIn("C0TEAM", after);
    expect(postedIn("DU0JAMES", since)).toHaveLength(1);
    expect(postedIn("DU0JAMES", since)[0]!.args.thread_ts).toBeUndefined();
  });

  it("ignores mentions the bot should not answer: edits and other bots", async () => {
    const since = h.fake.calls.length;
    for (const [event, id] of [
      [{ type: "app_mention", subtype: "message_changed", channel: "C0TEAM", user: "U0JAMES", text: `<@${FAKE_BOT_USER_ID}> stalled`, ts: nextTs() }, "EvEdit"],
      [{ type: "app_mention", bot_id: "B0OTHER", channel: "C0TEAM", user: "U0OTHERBOT", text: `<@${FAKE_BOT_USER_ID}> stalled`, ts: nextTs() }, "EvBot"],
    ] as const) {
      expect((await postSigned(h.eventsUrl, SECRET, eventBody(event, id), { contentType: "application/json" })).status).toBe(200);
    }
    const after = h.fake.calls.length;
    await mention("U0JAMES", "C0TEAM", "help");
    await answerIn("C0TEAM", after);
    expect(postedIn("C0TEAM", since)).toHaveLength(1);
  });

  it("reads the command without the bot's own mention, wherever it stands, and keeps other people's", () => {
    expect(mentionText("<@UBOT> stalled", "UBOT")).toBe("stalled");
    expect(mentionText("<@UBOT|lca>: new 7", "UBOT")).toBe("new 7");
    expect(mentionText("assign DEP1 to <@U1|anna> <@UBOT>", "UBOT")).toBe("assign DEP1 to @anna");
    expect(mentionText("<@UBOT> customer A &amp; B", undefined)).toBe("customer A & B");
  });

  it("has the manifest subscribe to app_mention with the app_mentions:read scope", () => {
    const manifest = readFileSync(projectPath("slack", "manifest.yml"), "utf8");
    expect(manifest).toMatch(/bot_events:(\s+- \S+)*\s+- app_mention\s/);
    expect(manifest).toMatch(/^\s+- app_mentions:read\s/m);
    expect(manifest).toMatch(/^\s+- chat:write\s/m);
  });
});
