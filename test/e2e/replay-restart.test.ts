import type { AddressInfo } from "node:net";
import express, { type Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { createReplayGuard } from "../../src/channels/replay.js";
import { createSlackChannel, SLACK_EVENTS_PATH, type SlackChannel } from "../../src/channels/slack/index.js";
import { socketEventReplayMiddleware } from "../../src/channels/slack/verify.js";
import { createWebexChannel, WEBEX_WEBHOOK_PATH, type WebexChannel } from "../../src/channels/webex/index.js";
import { loadConfig } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { FAKE_TEAM, slackSignature, startFakeSlack, type FakeSlack } from "../support/fake-slack.js";
import { FakeWebex } from "../support/fake-webex.js";

/**
 * Replay protection survives a restart: a webhook call or Slack event handled by one
 * instance of a channel is not handled again by the next instance on the same database
 * (the processed_event table), whereas a memory of ids in the process would forget it.
 */

const captured = captureLog();
const { log } = captured;
let db: TestDatabase;
let http: HttpServer;
let base: string;
/** The router of the channel instance currently "running": a restart swaps it. */
let current: Router = express.Router();

beforeAll(async () => {
  db = await createTestDatabase("postgres");
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, started: () => true, readiness: { checks: async () => ({}) } });
  const swap = express.Router();
  swap.use((req, res, next) => current(req, res, next));
  http.mount("/", swap);
  base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await http?.close();
  await db?.close();
  expectNoSecrets(captured.lines, ["webex-replay-secret-0123456789", "fake-webex-bot-token-for-the-replay-test", "slack-replay-signing-secret", "xoxb-replay-token"]);
});

describe("replay across a restart", () => {
  describe("Webex", () => {
    const fake = new FakeWebex();
    const SECRET = "webex-replay-secret-0123456789";
    let deps: ConversationDeps;
    let settings: NonNullable<ReturnType<typeof loadConfig>["webex"]>;

    beforeAll(async () => {
      await fake.start();
      const config = loadConfig({ WEBEX_BOT_TOKEN: "fake-webex-bot-token-for-the-replay-test", WEBEX_WEBHOOK_URL: `${base}${WEBEX_WEBHOOK_PATH}`, WEBEX_WEBHOOK_SECRET: SECRET, WEBEX_API_URL: fake.apiUrl });
      deps = { db, config, log, now: () => new Date() };
      settings = config.webex!;
      await loadDemo(db, config, todayIn(config.partner.timeZone));
    });
    afterAll(async () => {
      await fake.stop();
    });

    const deliver = async (item: Parameters<FakeWebex["deliver"]>[0]) => (await fake.deliver(item)) as globalThis.Response;

    async function run(channel: WebexChannel, work: () => Promise<void>): Promise<void> {
      current = channel.http.router;
      await channel.start();
      try {
        await work();
        await channel.idle();
      } finally {
        await channel.stop(Date.now() + 2_000);
      }
    }

    it("a message handled before the restart is not answered again after it; a new one is", async () => {
      const james = fake.addPerson("james.lee@partner.example", "James Lee");
      const room = fake.directRoom(james);
      const message = fake.say(james, room, "help", { mention: false });
      let firstBody = "";

      await run(createWebexChannel({ settings, deps, log }), async () => {
        const first = await deliver(message);
        expect(first.status).toBe(200);
        firstBody = await first.text();
        // The same delivery again, in the same life: acknowledged, not acted on.
        expect(await (await deliver(message)).json()).toEqual({ ok: true, duplicate: true });
      });
      expect(JSON.parse(firstBody)).toEqual({ ok: true });
      expect(fake.botMessages(room.id)).toHaveLength(1);

      // A new instance of the channel, the same database: the replay is still known.
      await run(createWebexChannel({ settings, deps, log }), async () => {
        const replayed = await deliver(message);
        expect(replayed.status).toBe(200);
        expect(await replayed.json()).toEqual({ ok: true, duplicate: true });
        const fresh = await deliver(fake.say(james, room, "help", { mention: false }));
        expect(await fresh.json()).toEqual({ ok: true });
      });
      expect(fake.botMessages(room.id)).toHaveLength(2); // the first message's answer, and the new one's
      expect(Number((await db.pool.query(`SELECT count(*) AS n FROM processed_event WHERE chat = 'webex'`)).rows[0].n)).toBe(2);

      // What a memory inside the process would have done after the restart: act again.
      await run(createWebexChannel({ settings, deps, log, replay: { firstTime: async () => true } }), async () => {
        await deliver(message);
      });
      expect(fake.botMessages(room.id)).toHaveLength(3);
    });
  });

  describe("Slack", () => {
    const SECRET = "slack-replay-signing-secret";
    let fake: FakeSlack;
    let deps: ConversationDeps;

    beforeAll(async () => {
      fake = await startFakeSlack();
      const config = loadConfig({ SLACK_BOT_TOKEN: "xoxb-replay-token", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl });
      deps = { db, config, log, now: () => new Date() };
      fake.users.set("U0MARIA", { id: "U0MARIA", email: "maria.garcia@partner.example", locale: "en-US" });
    });
    afterAll(async () => {
      await fake?.close();
    });

    async function run(channel: SlackChannel, work: () => Promise<void>): Promise<void> {
      current = channel.http!.router;
      await channel.start();
      try {
        await work();
      } finally {
        await channel.stop(Date.now() + 2_000);
      }
    }

    const post = (body: string, timestamp: number, headers: Record<string, string> = {}) =>
      fetch(`${base}${SLACK_EVENTS_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": slackSignature(SECRET, timestamp, body), ...headers },
        body,
      });
    const answers = () => fake.callsOf("chat.postMessage").filter((c) => c.args.channel === "DU0MARIA");
    const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

    it("an event handled before the restart is not handled again after it: neither the same bytes nor Slack's retry", async () => {
      const now = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({
        token: "unused",
        team_id: FAKE_TEAM.id,
        api_app_id: "A0LCA",
        type: "event_callback",
        event_id: "Ev0REPLAY1",
        event_time: now,
        authorizations: [{ team_id: FAKE_TEAM.id, user_id: "UBOT", is_bot: true, is_enterprise_install: false }],
        event: { type: "message", channel: "DU0MARIA", channel_type: "im", user: "U0MARIA", text: "help", ts: `${now}.000100`, event_ts: `${now}.000100` },
      });

      await run(createSlackChannel({ config: deps.config, deps, log })!, async () => {
        expect((await post(body, now)).status).toBe(200);
        await fake.waitFor("the DM answer", () => answers()[0]);
      });
      expect(answers()).toHaveLength(1);

      await run(createSlackChannel({ config: deps.config, deps, log })!, async () => {
        const replayed = await post(body, now); // the captured request, byte for byte
        expect([replayed.status, await replayed.text()]).toEqual([200, ""]);
        const retried = await post(body, now + 30, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
        expect([retried.status, await retried.text()]).toEqual([200, ""]);
        await settle();
      });
      expect(answers()).toHaveLength(1);

      // Control: the next instance without the table's memory would have answered again.
      await run(createSlackChannel({ config: deps.config, deps, log, replay: { firstTime: async () => true } })!, async () => {
        expect((await post(body, now)).status).toBe(200);
        await fake.waitFor("the answer a forgetful instance gives", () => answers()[1]);
      });
      expect(answers()).toHaveLength(2);
    });
  });

  it("over Slack's Socket Mode too: an event handled before a restart is dropped after it; commands pass", async () => {
    const handled: string[] = [];
    const deliver = async (middleware: ReturnType<typeof socketEventReplayMiddleware>, body: unknown, name: string) =>
      middleware({ body, next: async () => void handled.push(name) });
    const event = { type: "event_callback", event_id: "Ev0SOCKET1", event: { type: "message" } };
    const command = { command: "/lca", text: "help", trigger_id: "t-1" };
    const before = socketEventReplayMiddleware(createReplayGuard(db.pool, "slack"), log);
    await deliver(before, event, "event, first life");
    await deliver(before, event, "event again, first life");
    const after = socketEventReplayMiddleware(createReplayGuard(db.pool, "slack"), log); // a restart
    await deliver(after, event, "event after the restart");
    await deliver(after, { ...event, event_id: "Ev0SOCKET2" }, "a new event");
    await deliver(after, command, "command");
    await deliver(after, command, "command again");
    expect(handled).toEqual(["event, first life", "a new event", "command", "command again"]);
  });

  it("remembers ids for the TTL only, and purges rows older than it", async () => {
    await db.pool.query(`INSERT INTO processed_event (chat, event_id, seen_at) VALUES ('slack', 'old-1', now() - interval '2 days'), ('slack', 'old-2', now() - interval '25 hours')`);
    const guard = createReplayGuard(db.pool, "slack", { purgeEveryMs: 0 });
    // An id older than the TTL counts as new (and is renewed); one within it does not.
    expect(await guard.firstTime("old-1")).toBe(true);
    expect(await guard.firstTime("old-1")).toBe(false);
    expect(await guard.firstTime("x".repeat(5_000))).toBe(true);
    expect(await guard.firstTime("x".repeat(5_000))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { rows } = await db.pool.query<{ event_id: string }>(`SELECT event_id FROM processed_event WHERE chat = 'slack' AND event_id LIKE 'old-%'`);
    expect(rows.map((r) => r.event_id)).toEqual(["old-1"]);
  });
});
