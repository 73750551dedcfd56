import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { actionsOf, walkCards, type AdaptiveCard, type SubmitAction } from "../../src/cards/adaptive-card.js";
import { createSlackChannel, SLACK_EVENTS_PATH, type SlackChannel } from "../../src/channels/slack/index.js";
import { createWebexChannel, WEBEX_WEBHOOK_PATH, type WebexChannel } from "../../src/channels/webex/index.js";
import { loadConfig, type Config } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { deliverAlertCard } from "../support/deliver.js";
import { enqueueRedraws } from "../../src/delivery/refresh.js";
import { buttonPress, interactionBody, postSigned, startFakeSlack, type FakeSlack, type StoredMessage } from "../support/fake-slack.js";
import { FakeWebex, type FakeMessage, type FakePerson } from "../support/fake-webex.js";
import { captureLog } from "../support/log-capture.js";
import { redrawThroughOutbox, type Redraws } from "../support/redraws.js";
import { blockText, buttons } from "../support/slack-blocks.js";

/**
 * Threads end to end, Slack and Webex in one service: reminders under their card, the card
 * redrawn; a change made in one chat told under the alert's card in the other; a Webex
 * card with replies keeps its thread when it is redrawn. Real Bolt and Webex framework
 * against the fake APIs, a real dispatcher sending the outbox.
 */

const SLACK_SECRET = "threads-signing-secret";
const WEBEX_SECRET = "threads-webex-secret";
const WEBEX_TOKEN = "fake-webex-bot-token-for-the-thread-tests";

const { log } = captureLog();
const webex = new FakeWebex();
let slackApi: FakeSlack;
let db: TestDatabase;
let config: Config;
let deps: ConversationDeps;
let http: HttpServer;
let slack: SlackChannel;
let webexChannel: WebexChannel;
let eventsUrl: string;
let redraws: Redraws | undefined;
let anna: FakePerson;
let jamesWx: FakePerson;
let seq = 0;

beforeAll(async () => {
  slackApi = await startFakeSlack();
  await webex.start();
  db = await createTestDatabase("embedded");
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, started: () => true, readiness: { checks: async () => ({}) } });
  const base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-threads",
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: slackApi.apiUrl,
    WEBEX_BOT_TOKEN: WEBEX_TOKEN,
    WEBEX_WEBHOOK_URL: `${base}${WEBEX_WEBHOOK_PATH}`,
    WEBEX_WEBHOOK_SECRET: WEBEX_SECRET,
    WEBEX_API_URL: webex.apiUrl,
    TIME_ZONE: "Europe/Berlin",
    LOG_LEVEL: "silent",
  });
  deps = { db, config, log, now: () => new Date() };
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  for (const user of [
    { id: "U0ANNA", email: "anna.petrova@partner.example", locale: "ru-RU", name: "Анна Петрова" },
    { id: "U0JAMES", email: "james.lee@partner.example", locale: "en-US", name: "James Lee" },
  ]) slackApi.users.set(user.id, user);
  anna = webex.addPerson("anna.petrova@partner.example", "Анна Петрова");
  jamesWx = webex.addPerson("james.lee@partner.example", "James Lee");
  slack = createSlackChannel({ config, deps, log })!;
  webexChannel = createWebexChannel({ settings: config.webex!, deps, log });
  http.mount("/", slack.http!.router);
  http.mount("/", webexChannel.http.router);
  eventsUrl = `${base}${SLACK_EVENTS_PATH}`;
  redraws = await redrawThroughOutbox(deps, [slack.port, webexChannel.port], log, { coalesceWindowMs: 0, minIntervalMs: { slack: 0, webex: 0 } });
  await slack.start();
  await webexChannel.start();
});

afterAll(async () => {
  await redraws?.stop();
  await slack?.stop(Date.now() + 2_000);
  await webexChannel?.stop(Date.now() + 2_000);
  await http?.close();
  await slackApi?.close();
  await webex.stop();
  await db?.close();
});

/** Until the outbox has nothing waiting or in flight: every reminder, redraw and notice sent. */
async function outboxSettled(ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  await webexChannel.idle();
  await redraws!.settled(ms);
  // Twice idle, a moment apart: a sent row writes what follows it (a redraw, a notice) just after.
  for (let idle = 0; ; ) {
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message WHERE status IN ('pending', 'failed', 'sending')`);
    idle = rows[0]!.n === 0 ? idle + 1 : 0;
    if (idle >= 2) return;
    if (Date.now() > deadline) throw new Error(`the outbox was still busy after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function csm(email: string) {
  return db.prisma.csm.findUniqueOrThrow({ where: { email } });
}

const used: number[] = [];

/** An open stalled alert no other test used, on a deployment not assigned to this CSM (so "assign to me" changes it). */
async function alertNotAssignedTo(csmId: number) {
  const alert = await db.prisma.alert.findFirstOrThrow({
    where: { status: "open", kind: "stalled", id: { notIn: used }, useCaseDeployment: { active: true, deployment: { active: true, OR: [{ assignedCsmId: null }, { assignedCsmId: { not: csmId } }] } } },
    orderBy: { id: "asc" },
  });
  used.push(alert.id);
  return alert;
}

/** Slack acks first and acts after: until the click's redraw reached Webex (polling the fake, not the database the click is writing to). */
async function redrawnOnWebex(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!webex.calls.some((c) => c.method === "POST" && c.path === "/messages")) {
    if (Date.now() > deadline) throw new Error("the Slack click redrew nothing on Webex within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function sendToDm(port: SlackChannel["port"] | WebexChannel["port"], email: string, alertId: number) {
  const person = await csm(email);
  const locale = (person.locale as "en" | "ru" | null) ?? (email.startsWith("anna") ? "ru" : "en");
  return deliverAlertCard(deps, port, { kind: "csm", csmId: person.id, email: person.email, chatUserId: null }, alertId, { locale, timeZone: "Europe/Berlin" });
}

async function remind(channel: "slack" | "webex", destination: string, alertId: number, n: number): Promise<void> {
  const csmId = /^csm:(\d+)$/.exec(destination)?.[1];
  await db.pool.query(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key) VALUES ($1::"ChatChannel", $2, $3, $4, 'reminder', $5, $6)`,
    [channel, destination, csmId ? Number(csmId) : null, alertId, JSON.stringify({ alertId, notice: n }), `test-reminder:${++seq}`],
  );
}

function submitData(card: AdaptiveCard, a: string): Record<string, unknown> {
  for (const { card: nested } of walkCards(card)) {
    const found = actionsOf(nested).find((action): action is SubmitAction => action.type === "Action.Submit" && action.data?.a === a);
    if (found) return { ...found.data };
  }
  throw new Error(`no ${a} submit on the card`);
}

async function slackClick(userId: string, message: StoredMessage, prefix: string): Promise<void> {
  const button = buttons(message.blocks).find((b) => b.action_id.startsWith(prefix))!;
  const payload = buttonPress({ userId, message, button, triggerId: `trigger-${++seq}`, responseUrl: slackApi.responseUrl(`click-${seq}`) });
  const post = await postSigned(eventsUrl, SLACK_SECRET, interactionBody(payload));
  expect(post.status).toBe(200);
}

const textOf = (value: unknown) => JSON.stringify(value).replace(/\u2060/g, "");

describe("threads", () => {
  it("Slack: a reminder is posted in the card's thread and the card is updated in place", async () => {
    const james = await csm("james.lee@partner.example");
    const alert = await alertNotAssignedTo(james.id);
    const card = await sendToDm(slack.port, james.email, alert.id);
    const since = slackApi.calls.length;
    await remind("slack", `csm:${james.id}`, alert.id, 1);
    await outboxSettled();
    const calls = slackApi.calls.slice(since).filter((c) => c.method.startsWith("chat."));
    expect(calls.map((c) => [c.method, c.args.channel, c.args.thread_ts ?? c.args.ts])).toEqual([
      ["chat.postMessage", card.conversationId, card.externalId],
      ["chat.update", card.conversationId, card.externalId],
    ]);
    expect(blockText(calls[0]!.args.blocks)).toMatch(/Reminder 1.*\d+ days? in .*, threshold \d+ days/s);
    if (process.env.PRINT_THREAD_CALLS) console.log(JSON.stringify(calls.map((c) => ({ method: c.method, channel: c.args.channel, ts: c.args.ts, thread_ts: c.args.thread_ts, text: c.args.text }))));
  });

  it("Webex: a reminder is a reply to the team-space card, and the card keeps its thread when redrawn", async () => {
    const room = webex.groupRoom("CS team", [anna]);
    const alert = await alertNotAssignedTo(0);
    const card = await deliverAlertCard(deps, webexChannel.port, { kind: "room", address: room.id }, alert.id, { locale: "ru", timeZone: "Europe/Berlin" });
    webex.clearCalls();
    await remind("webex", room.id, alert.id, 2);
    await outboxSettled();
    const posts = webex.calls.filter((c) => c.method === "POST" && c.path === "/messages");
    // The reminder under the card, then the card's new state in the same thread: the root stays.
    expect(posts.map((c) => (c.body as { parentId?: string }).parentId)).toEqual([card.externalId, card.externalId]);
    expect(webex.calls.some((c) => c.method === "DELETE")).toBe(false);
    expect(webex.messages.has(card.externalId)).toBe(true);
    expect(textOf(posts[0]!.body)).toMatch(/Reminder 2.*\d+ days? in .*, threshold \d+ days/); // a team space reads the partner's language
    const row = await db.prisma.outboxMessage.findFirstOrThrow({ where: { alertId: alert.id, channel: "webex", destination: room.id, kind: "alert" } });
    const shown = webex.messages.get(row.externalId!)!;
    expect(shown.parentId).toBe(card.externalId);

    // A click on the card in the thread: its redraw replaces it there, the root and the reminder stay.
    webex.clearCalls();
    const act = { ...submitData(shown.attachments![0]!.content as AdaptiveCard, "rec.act"), act: "contacted_customer" };
    const response = await webex.deliver(webex.submit(anna, shown, act));
    expect(response.status).toBe(200);
    await outboxSettled();
    const after = await db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.externalId).not.toBe(shown.id);
    expect(webex.messages.get(after.externalId!)!.parentId).toBe(card.externalId);
    expect(webex.messages.has(shown.id)).toBe(false);
    expect(webex.messages.has(card.externalId)).toBe(true);
  });

  it("a change made in Webex is told in the thread of the Slack card, in Russian", async () => {
    const person = await csm("anna.petrova@partner.example");
    const alert = await alertNotAssignedTo(person.id);
    const slackCard = await sendToDm(slack.port, person.email, alert.id);
    const webexCard = await sendToDm(webexChannel.port, person.email, alert.id);
    const sent = webex.messages.get(webexCard.externalId)!;
    const since = slackApi.calls.length;
    const response = await webex.deliver(webex.submit(anna, sent, submitData(sent.attachments![0]!.content as AdaptiveCard, "usecase.assign")));
    expect(response.status).toBe(200);
    await outboxSettled();
    const calls = slackApi.calls.slice(since).filter((c) => c.method.startsWith("chat."));
    expect(calls.map((c) => [c.method, c.args.thread_ts ?? c.args.ts])).toEqual([
      ["chat.update", slackCard.externalId],
      ["chat.postMessage", slackCard.externalId],
    ]);
    expect(blockText(calls[1]!.args.blocks)).toContain("Изменено в Webex");
    if (process.env.PRINT_THREAD_CALLS) console.log(JSON.stringify(calls.map((c) => ({ method: c.method, channel: c.args.channel, ts: c.args.ts, thread_ts: c.args.thread_ts, text: c.args.text }))));
    expect(blockText(calls[1]!.args.blocks)).toMatch(/Развёртывание назначено.*Анна Петрова.*\(Анна Петрова, Webex\)/s);
  });

  it("a change made in Slack is told in the thread of the Webex card, in English", async () => {
    const person = await csm("james.lee@partner.example");
    const alert = await alertNotAssignedTo(person.id);
    const slackCard = await sendToDm(slack.port, person.email, alert.id);
    const webexCard = await sendToDm(webexChannel.port, person.email, alert.id);
    webex.clearCalls();
    await slackClick("U0JAMES", slackApi.messages.get(`${slackCard.conversationId}/${slackCard.externalId}`)!, "usecase.assign.");
    await redrawnOnWebex();
    await outboxSettled();
    // In James's space (another test's card of the same deployment may be redrawn in its own).
    const posts = webex.calls.filter((c) => c.method === "POST" && c.path === "/messages").map((c) => c.body as FakeMessage).filter((p) => p.roomId === webexCard.conversationId);
    // The Webex card is reposted (it had no thread yet), then the notice goes under its new state.
    const row = await db.prisma.outboxMessage.findFirstOrThrow({ where: { alertId: alert.id, channel: "webex", csmId: person.id, kind: "alert" } });
    expect(row.externalId).not.toBe(webexCard.externalId);
    expect(posts.map((p) => p.parentId)).toEqual([undefined, row.externalId]);
    expect(textOf(posts[1])).toContain("Changed in Slack");
    expect(textOf(posts[1])).toMatch(/Deployment assigned to James Lee.*, by James Lee in Slack/);
  });

  it("Webex: a receipt goes under the card's thread root, in Russian, and the card keeps that thread when redrawn", async () => {
    const person = await csm("anna.petrova@partner.example");
    const alert = await alertNotAssignedTo(person.id);
    const card = await sendToDm(webexChannel.port, person.email, alert.id);
    const sent = webex.messages.get(card.externalId)!;
    webex.clearCalls();
    const response = await webex.deliver(webex.submit(anna, sent, submitData(sent.attachments![0]!.content as AdaptiveCard, "usecase.assign")));
    expect(response.status).toBe(200);
    await outboxSettled();
    // In this space only: a redraw of the deployment's other alerts (cards of the tests before) goes to theirs.
    const posts = () => webex.calls.filter((c) => c.method === "POST" && c.path === "/messages").map((c) => c.body as FakeMessage).filter((p) => p.roomId === card.conversationId);
    // The receipt and the card's new state both under the card, which stays: nothing deleted, nothing orphaned.
    const receipt = posts().find((p) => !textOf(p).includes('"usecase.assign"'))!;
    expect(textOf(receipt)).toContain("Развёртывание назначено");
    expect(receipt.parentId).toBe(card.externalId);
    expect(receipt.roomId).toBe(card.conversationId);
    expect(textOf(receipt)).toContain("Анна Петрова");
    expect(posts().map((p) => p.parentId)).toEqual([card.externalId, card.externalId]);
    expect(webex.calls.some((c) => c.method === "DELETE")).toBe(false);
    expect(webex.messages.has(card.externalId)).toBe(true);
    if (process.env.PRINT_THREAD_CALLS) console.log(JSON.stringify({ method: "POST /messages", roomId: receipt.roomId, parentId: receipt.parentId, markdown: receipt.markdown }));

    // A click on the new state, which is itself a reply: the receipt goes under the root (Webex refuses a reply to a reply).
    const row = await db.prisma.outboxMessage.findFirstOrThrow({ where: { alertId: alert.id, channel: "webex", csmId: person.id, kind: "alert" } });
    const shown = webex.messages.get(row.externalId!)!;
    expect(shown.parentId).toBe(card.externalId);
    webex.clearCalls();
    const act = { ...submitData(shown.attachments![0]!.content as AdaptiveCard, "rec.act"), act: "contacted_customer" };
    expect((await webex.deliver(webex.submit(anna, shown, act))).status).toBe(200);
    await outboxSettled();
    expect(posts().map((p) => p.parentId)).toEqual([card.externalId, card.externalId]);
    expect(posts().some((p) => !textOf(p).includes('"usecase.assign"') && textOf(p).includes("Записано"))).toBe(true);
    expect(webex.messages.has(card.externalId)).toBe(true);
  });

  it("Webex: a refused form after a click is answered in the card's thread, which a later redraw keeps, in English", async () => {
    const person = await csm("james.lee@partner.example");
    const alert = await db.prisma.alert.findFirstOrThrow({ where: { status: "open", kind: { in: ["missing_contact", "bounced_contact"] }, id: { notIn: used } }, orderBy: { id: "asc" } });
    used.push(alert.id);
    const card = await sendToDm(webexChannel.port, person.email, alert.id);
    const sent = webex.messages.get(card.externalId)!;
    webex.clearCalls();
    const contact = { ...submitData(sent.attachments![0]!.content as AdaptiveCard, "contact.update"), email: "colleague@partner.example", name: "A Colleague" };
    expect((await webex.deliver(webex.submit(jamesWx, sent, contact))).status).toBe(200);
    await outboxSettled();
    // In this space only: a redraw of the deployment's other alerts (cards of the tests before) goes to theirs.
    const posts = () => webex.calls.filter((c) => c.method === "POST" && c.path === "/messages").map((c) => c.body as FakeMessage).filter((p) => p.roomId === card.conversationId);
    expect(posts()).toHaveLength(1);
    expect(posts()[0]!.parentId).toBe(card.externalId);
    expect(textOf(posts()[0])).toContain("partner.example");
    // Nothing was redrawn by the refusal; the next redraw (a change elsewhere) keeps the card and its thread.
    webex.clearCalls();
    await enqueueRedraws(db.pool, alert.id);
    await outboxSettled();
    expect(webex.calls.some((c) => c.method === "DELETE")).toBe(false);
    expect(posts().map((p) => p.parentId)).toEqual([card.externalId]);
    expect(webex.messages.has(card.externalId)).toBe(true);
  });
});
