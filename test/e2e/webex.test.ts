import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redrawThroughOutbox, type Redraws } from "../support/redraws.js";
import type { ConversationDeps } from "../../src/actions/context.js";
import { actionsOf, walkCards, type AdaptiveCard, type SubmitAction } from "../../src/cards/adaptive-card.js";
import { fallbackText, renderCard } from "../../src/cards/render.js";
import { alertCardName } from "../../src/protocol/views.js";
import { createWebexChannel, WEBEX_WEBHOOK_PATH, type WebexChannel } from "../../src/channels/webex/index.js";
import { parseCommand } from "../../src/commands/parse.js";
import { loadConfig, type Config } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { translator } from "../../src/i18n.js";
import { alertView, stalled } from "../../src/queries/queries.js";
import { queryContext } from "../../src/actions/context.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { FakeWebex, sparkSignature, type FakeMessage, type FakePerson, type RecordedCall } from "../support/fake-webex.js";
import { deliverAlertCard } from "../support/deliver.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";

/**
 * The Webex channel end to end: the real webex-node-bot-framework and Webex SDK in
 * webhook mode, a real lca-bot conversation stack on the embedded database with the demo
 * data, and a fake Webex API on 127.0.0.1 that records every call and signs its webhook
 * deliveries. Nothing leaves the machine.
 */

const SECRET = "webex-webhook-secret-for-tests";
// Real bot tokens look like <a>_<b>_<orgId>; with that shape the SDK would fetch its service
// catalog from u2c.wbx2.com. This one has no underscores, so the SDK stays on the fake.
const TOKEN = "fake-webex-bot-token-for-the-e2e-tests";
const CARD = "application/vnd.microsoft.card.adaptive";

/** Every line the channel and the framework log during this file, at trace; none may hold a secret (afterAll). */
const captured = captureLog();
const { log } = captured;
const fake = new FakeWebex();
let db: TestDatabase;
let http: HttpServer;
let channel: WebexChannel;
let config: Config;
let deps: ConversationDeps;
let webhookUrl: string;
let redraws: Redraws | undefined;
let startCalls: RecordedCall[];
let foreignHookId: string;
let strayHookId: string;
const people: Record<"james" | "anna" | "eve" | "sophie" | "oliver", FakePerson> = {} as never;

beforeAll(async () => {
  await fake.start();
  db = await createTestDatabase("embedded");
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, started: () => true, readiness: { checks: async () => ({}) } });
  webhookUrl = `http://127.0.0.1:${new URL(http.url).port}${WEBEX_WEBHOOK_PATH}`;
  foreignHookId = fake.addForeignWebhook("https://other-integration.example/hooks/webex").id;
  strayHookId = fake.addForeignWebhook(webhookUrl, "lca-bot, registered by hand").id;
  config = loadConfig({ WEBEX_BOT_TOKEN: TOKEN, WEBEX_WEBHOOK_URL: webhookUrl, WEBEX_WEBHOOK_SECRET: SECRET, WEBEX_API_URL: fake.apiUrl, LOG_LEVEL: "silent" });
  deps = { db, config, log, now: () => new Date() };
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  people.james = fake.addPerson("james.lee@partner.example", "James Lee");
  people.anna = fake.addPerson("anna.petrova@partner.example", "Анна Петрова");
  people.sophie = fake.addPerson("sophie.mueller@partner.example", "Sophie Müller");
  people.oliver = fake.addPerson("oliver.brown@partner.example", "Oliver Brown");
  people.eve = fake.addPerson("eve@elsewhere.example", "Eve Outsider");
  channel = createWebexChannel({ settings: config.webex!, deps, log });
  http.mount("/", channel.http.router);
  redraws = await redrawThroughOutbox(deps, [channel.port], log);
  await channel.start();
  startCalls = [...fake.calls];
});

afterAll(async () => {
  await redraws?.stop();
  await channel?.stop(Date.now() + 2_000);
  await http?.close();
  await fake.stop();
  await db?.close();
  expectNoSecrets(captured.lines, [SECRET, TOKEN]);
});

// ---------------------------------------------------------------------------------------
// Helpers

function cardsOf(messages: FakeMessage[]): AdaptiveCard[] {
  return messages.map((m) => {
    expect(m.attachments?.[0]?.contentType).toBe(CARD);
    return m.attachments![0]!.content as AdaptiveCard;
  });
}

/** Everything the channel accepted has been handled, or the test fails (no open-ended waits). */
async function settled(ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the Webex channel was still busy after ${ms} ms`)), ms)));
  try {
    // The answers, then the redraws the dispatcher sends for them.
    await Promise.race([channel.idle().then(() => redraws?.settled(ms)), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** All the strings of a card, for "does it say X" assertions, as a reader sees them (without the invisible joiners escaping puts around data's markup characters). */
function textOf(card: unknown): string {
  return JSON.stringify(card).replace(/\u2060/g, "");
}

/** A person writes in a space; Webex posts the signed event; the bot's answers come back. */
async function say(person: FakePerson, text: string, options: { room?: ReturnType<FakeWebex["directRoom"]>; mention?: boolean } = {}) {
  const room = options.room ?? fake.directRoom(person);
  const since = fake.posted.length;
  const message = fake.say(person, room, text, { mention: options.mention ?? false });
  const response = await fake.deliver(message);
  expect(response.status).toBe(200);
  await settled();
  return { message, room, replies: fake.botMessages(room.id, since) };
}

/** A person presses a button on a card; Webex posts the signed event. */
async function click(person: FakePerson, message: FakeMessage, inputs: Record<string, unknown>) {
  const since = fake.posted.length;
  const callsBefore = fake.calls.length;
  const action = fake.submit(person, message, inputs);
  const response = await fake.deliver(action);
  expect(response.status).toBe(200);
  await settled();
  return { action, posted: fake.botMessages(message.roomId, since), calls: fake.calls.slice(callsBefore) };
}

function submitData(card: AdaptiveCard, a: string): Record<string, unknown> {
  for (const { card: nested } of walkCards(card)) {
    const found = actionsOf(nested).find((action): action is SubmitAction => action.type === "Action.Submit" && action.data?.a === a);
    if (found) return { ...found.data };
  }
  throw new Error(`no ${a} submit on the card`);
}

async function csmId(email: string): Promise<number> {
  return (await db.prisma.csm.findUniqueOrThrow({ where: { email } })).id;
}

const auditCount = () => db.prisma.auditEntry.count();
/** The CSM's linked Webex account, if any. */
const webexIdentity = (csm: { id: number } | { email: string }) => db.prisma.chatIdentity.findFirst({ where: { chat: "webex", csm } });

/** Sends an alert card to a CSM through the port, as the outbox dispatcher does, and records the row as sent. */
async function deliverAlert(email: string, alertId: number): Promise<FakeMessage> {
  const csm = await db.prisma.csm.findUniqueOrThrow({ where: { email } });
  const to = { kind: "csm" as const, csmId: csm.id, email: csm.email, chatUserId: null };
  const outcome = await deliverAlertCard(deps, channel.port, to, alertId, { locale: (csm.locale as "en" | "ru") ?? "en", timeZone: csm.timeZone ?? "UTC" });
  return fake.messages.get(outcome.externalId)!;
}

/** An open alert of this kind on a deployment that is not assigned to this CSM. */
async function openAlertNotAssignedTo(csm: number, kinds: string[] = ["stalled", "new_use_case", "regression", "missing_contact", "bounced_contact"]) {
  const alert = await db.prisma.alert.findFirst({
    where: {
      status: "open",
      kind: { in: kinds as never },
      useCaseDeployment: { active: true, deployment: { active: true, OR: [{ assignedCsmId: null }, { assignedCsmId: { not: csm } }] } },
    },
    orderBy: { id: "asc" },
    include: { useCaseDeployment: { include: { deployment: true } } },
  });
  if (!alert) throw new Error("the demo data has no such alert");
  return alert;
}

// ---------------------------------------------------------------------------------------

describe("Webex channel", () => {
  it("registers its webhooks for its own URL only, with the secret, and leaves other webhooks alone", () => {
    const ours = [...fake.webhooks.values()].filter((h) => h.targetUrl === webhookUrl);
    expect(ours.map((h) => `${h.resource}/${h.event}`).sort()).toEqual(["all/all", "attachmentActions/created"]);
    expect(ours.every((h) => h.secret === SECRET)).toBe(true);
    expect(fake.webhooks.has(foreignHookId)).toBe(true);
    const deletes = startCalls.filter((c) => c.method === "DELETE").map((c) => c.path);
    expect(deletes).toEqual([`/webhooks/${strayHookId}`]); // the hand-made one to our URL: it would double every event
    expect(startCalls.map((c) => `${c.method} ${c.path}`).slice(0, 2)).toEqual(["GET /people/me", "GET /webhooks"]);
  });

  it('answers "stalled" in a 1:1 space with the list card of the CSM\'s stalled use cases', async () => {
    const command = parseCommand("stalled");
    if (!command.ok || command.command.kind !== "stalled") throw new Error("parse");
    const expected = await stalled(queryContext(deps), { filters: command.command.filters, page: 1, csmId: await csmId("james.lee@partner.example"), query: "stalled" });
    expect(expected.total).toBeGreaterThan(0);

    const { replies, room } = await say(people.james, "stalled");
    expect(replies).toHaveLength(1);
    const reply = replies[0]!;
    expect(reply.parentId).toBeUndefined(); // 1:1: no thread
    expect(reply.markdown).toContain("Stalled use cases");
    const [card] = cardsOf(replies);
    expect(card!.type).toBe("AdaptiveCard");
    const text = textOf(card);
    expect(text).toContain("Stalled use cases");
    for (const item of expected.items.slice(0, 3)) expect(text).toContain(item.customer.name);
    expect(fake.rooms.get(room.id)?.type).toBe("direct");
    // The person is now linked to the CSM by the email Webex returned.
    expect(await webexIdentity({ email: "james.lee@partner.example" })).toMatchObject({ userId: people.james.id, verified: true });
  });

  it("answers a Russian-speaking CSM in Russian", async () => {
    const { replies } = await say(people.anna, "stalled");
    expect(replies).toHaveLength(1);
    const text = textOf(cardsOf(replies)[0]);
    const ru = translator("ru");
    expect(text).toMatch(new RegExp(`${ru("cards.list.title.stalled")}|${ru("cards.list.empty.stalled")}|${ru("chat.empty.stalled")}`));
    expect(text).not.toContain("Stalled use cases");
  });

  it("in a group space answers @mentions only, in the thread of the question", async () => {
    const room = fake.groupRoom("CS team", [people.james, people.sophie]);
    const mentioned = await say(people.sophie, "help", { room, mention: true });
    expect(mentioned.replies).toHaveLength(1);
    expect(mentioned.replies[0]!.parentId).toBe(mentioned.message.id);
    expect(textOf(cardsOf(mentioned.replies)[0])).toContain("@LCA Bot stalled"); // the help shows how to ask here
    const unaddressed = await say(people.sophie, "help", { room, mention: false });
    expect(unaddressed.replies).toHaveLength(0);
  });

  it("refuses a person outside the partner's domains politely, showing no customer data", async () => {
    const { replies } = await say(people.eve, "stalled");
    expect(replies).toHaveLength(1);
    const text = textOf(cardsOf(replies)[0]) + replies[0]!.markdown;
    expect(text).toContain("Sorry, I only work for people of Partner Example Ltd");
    const customers = await db.prisma.customer.findMany({ select: { name: true, crPartyId: true } });
    for (const c of customers) {
      expect(text).not.toContain(c.name);
      expect(text).not.toContain(c.crPartyId);
    }
    expect(await db.prisma.chatIdentity.findUnique({ where: { chat_userId: { chat: "webex", userId: people.eve.id } } })).toBeNull();
  });

  it("refuses a webhook with a forged or missing signature with 401 and does nothing", async () => {
    const room = fake.directRoom(people.james);
    const message = fake.say(people.james, room, "stalled");
    const callsBefore = fake.calls.length;
    const postedBefore = fake.posted.length;
    const forged = await fake.deliver(message, { signature: sparkSignature("not-the-secret-at-all", "whatever") });
    expect(forged.status).toBe(401);
    const unsigned = await fetch(webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fake.eventFor(message).body) });
    expect(unsigned.status).toBe(401);
    // Signed over JSON.stringify of the body rather than the bytes sent (the framework's own check): refused too.
    const { hook, body } = fake.eventFor(message);
    const reserialised = await fake.deliver(message, { signature: sparkSignature(hook.secret!, JSON.stringify(body)) });
    expect(reserialised.status).toBe(401);
    await settled();
    expect(fake.calls.length).toBe(callsBefore);
    expect(fake.posted.length).toBe(postedBefore);
  });

  it("answers malformed, oversized, unsigned and wrong-method calls with short JSON, never an HTML page", async () => {
    const signed = (raw: string) => ({ "content-type": "application/json", "x-spark-signature": sparkSignature(SECRET, raw) });
    const cases: { name: string; init: RequestInit; status: number }[] = [
      { name: "unsigned", init: { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }, status: 401 },
      { name: "signed, not JSON", init: { method: "POST", headers: signed('{"resource": "messages",'), body: '{"resource": "messages",' }, status: 400 },
      { name: "signed JSON, not an event", init: { method: "POST", headers: signed("[1,2,3]"), body: "[1,2,3]" }, status: 400 },
      { name: "oversized", init: { method: "POST", headers: { "content-type": "application/json" }, body: `{"x":"${"a".repeat(1_100_000)}"}` }, status: 413 },
      { name: "GET", init: { method: "GET" }, status: 405 },
      { name: "DELETE", init: { method: "DELETE" }, status: 405 },
    ];
    for (const { name, init, status } of cases) {
      const answer = await fetch(webhookUrl, init);
      expect(answer.status, name).toBe(status);
      expect(answer.headers.get("content-type"), name).toMatch(/application\/json/);
      const text = await answer.text();
      expect(text.length, name).toBeLessThan(200);
      expect(text, name).not.toMatch(/<html|stack|node_modules/i);
      expect(Object.keys(JSON.parse(text) as object), name).toEqual(["error"]);
    }
    const unknown = await fetch(webhookUrl.replace(WEBEX_WEBHOOK_PATH, "/webex/other"), { method: "POST", headers: { "content-type": "application/json" }, body: "{bad" });
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: "not found" }]);
  });

  describe("an alert → click → receipt round trip", () => {
    let alert: Awaited<ReturnType<typeof openAlertNotAssignedTo>>;
    let sent: FakeMessage;
    let assign: Record<string, unknown>;
    let roundTrip: string[];

    it("a card submit \"assign to me\" changes the database, answers with the receipt in the card's thread and shows the new state there", async () => {
      // Oliver has never written to the bot: the alert opens his 1:1 space, his click links him.
      const oliver = await csmId("oliver.brown@partner.example");
      alert = await openAlertNotAssignedTo(oliver);
      const auditBefore = await auditCount();
      fake.clearCalls();

      sent = await deliverAlert("oliver.brown@partner.example", alert.id);
      const alertCall = fake.calls.find((c) => c.method === "POST" && c.path === "/messages")!;
      expect(alertCall.body).toMatchObject({ toPersonEmail: "oliver.brown@partner.example", attachments: [{ contentType: CARD }] });
      assign = submitData(sent.attachments![0]!.content as AdaptiveCard, "usecase.assign");
      expect(assign).toMatchObject({ a: "usecase.assign", v: 1, id: alert.useCaseDeployment.deployment.id, al: alert.id });

      const { action, posted, calls } = await click(people.oliver, sent, assign);
      roundTrip = fake.callLines();

      // The database changed, once, with an audit entry from Webex; the person is linked.
      const deployment = await db.prisma.deployment.findUniqueOrThrow({ where: { id: alert.useCaseDeployment.deployment.id } });
      expect(deployment.assignedCsmId).toBe(oliver);
      expect(deployment.version).toBe(alert.useCaseDeployment.deployment.version + 1);
      expect(await auditCount()).toBe(auditBefore + 1);
      expect(await db.prisma.auditEntry.findFirst({ orderBy: { id: "desc" } })).toMatchObject({ action: "usecase.assign", channel: "webex", csmId: oliver });
      expect((await webexIdentity({ id: oliver }))?.userId).toBe(people.oliver.id);

      // The framework fetched the inputs; the receipt answered under the card; the dispatcher
      // redrew the clicked card in its thread (it heads one now: the receipt), so nothing is deleted.
      const lines = calls.map((c) => `${c.method} ${c.path}`);
      expect(lines[0]).toBe(`GET /attachment/actions/${action.id}`);
      expect(lines.some((l) => l.startsWith("DELETE"))).toBe(false);
      expect(fake.messages.has(sent.id)).toBe(true);
      expect(posted).toHaveLength(2);
      const isCard = (m: FakeMessage) => JSON.stringify(m.attachments?.[0]?.content ?? {}).includes('"usecase.assign"');
      const receipt = posted.find((m) => !isCard(m));
      const fresh = posted.find(isCard);
      expect(receipt!.parentId).toBe(sent.id);
      expect(fresh!.parentId).toBe(sent.id);
      expect(fresh!.roomId).toBe(sent.roomId);
      if (process.env.PRINT_THREAD_CALLS) console.log(JSON.stringify(calls.filter((c) => c.method === "POST" && c.path === "/messages").map((c) => ({ method: `${c.method} ${c.path}`, roomId: (c.body as FakeMessage).roomId, parentId: (c.body as FakeMessage).parentId, text: (c.body as FakeMessage).markdown }))));
      const freshCard = fresh!.attachments![0]!.content as AdaptiveCard;
      expect(textOf(freshCard)).toContain("Oliver Brown"); // the CSM fact now names him
      expect(submitData(freshCard, "usecase.assign")).toMatchObject({ ev: deployment.version });
      expect(textOf(receipt!.attachments![0]!.content)).toContain("Deployment assigned to Oliver Brown");

      // The outbox row now points at the card that shows the alert.
      const row = await db.prisma.outboxMessage.findFirstOrThrow({ where: { alertId: alert.id, status: "sent", channel: "webex", csmId: oliver } });
      expect(row.externalId).toBe(fresh!.id);
    });

    it("a replayed submit (the same signed delivery) acts once", async () => {
      const auditBefore = await auditCount();
      const postedBefore = fake.posted.length;
      const action = [...fake.actions.values()].at(-1)!;
      const callsBefore = fake.calls.length;
      const again = await fake.deliver(action);
      expect(again.status).toBe(200);
      await settled();
      expect(await auditCount()).toBe(auditBefore);
      expect(fake.posted.length).toBe(postedBefore);
      expect(fake.calls.length).toBe(callsBefore);
    });

    it("a second click on the old card (a new submit with the old versions) changes nothing and says it is done", async () => {
      const auditBefore = await auditCount();
      const before = await db.prisma.deployment.findUniqueOrThrow({ where: { id: alert.useCaseDeployment.deployment.id } });
      const { posted } = await click(people.oliver, sent, assign);
      expect(await auditCount()).toBe(auditBefore);
      expect((await db.prisma.deployment.findUniqueOrThrow({ where: { id: before.id } })).version).toBe(before.version);
      expect(posted).toHaveLength(1);
      expect(textOf(posted[0]!.attachments![0]!.content)).toContain("Already done by Oliver Brown");
      expect(posted[0]!.parentId).toBe(sent.id);
    });

    it("records the calls of the round trip", () => {
      // Printed for the closing note; asserted loosely above.
      expect(roundTrip.length).toBeGreaterThan(5);
      if (process.env.PRINT_ROUND_TRIP) console.log(roundTrip.join("\n"));
    });
  });

  it("in a team space, a submit answers in the card's thread and the card keeps it: its new state goes there", async () => {
    const room = fake.groupRoom("Partner CS team", [people.sophie, people.james]);
    const sophie = await csmId("sophie.mueller@partner.example");
    const alert = await db.prisma.alert.findFirstOrThrow({ where: { status: "open", kind: "stalled", recommendationId: { not: null }, useCaseDeployment: { deployment: { assignedCsmId: { not: sophie } } } }, orderBy: { id: "desc" } });
    const view = (await alertView(queryContext(deps), alert.id))!;
    const card = renderCard(alertCardName(view.kind), view, { locale: "en", timeZone: "UTC" });
    const sentOutcome = await channel.port.send({ kind: "room", address: room.id }, { card, fallbackText: fallbackText(card) });
    if (!sentOutcome.ok) throw new Error(sentOutcome.reason);
    const sent = fake.messages.get(sentOutcome.externalId)!;
    const act = { ...submitData(card, "rec.act"), act: "contacted_customer", comment: "Called the IT lead" };
    const { posted } = await click(people.sophie, sent, act);
    expect(posted).toHaveLength(2);
    // The receipt goes under the card; the card, which now heads a thread, stays where it is and
    // its new state is posted inside that thread (a repost at the top would orphan the receipt).
    const receipt = posted.find((m) => textOf(m.attachments![0]!.content).includes("Called the IT lead"));
    const fresh = posted.find((m) => m !== receipt);
    expect(receipt!.parentId).toBe(sent.id);
    expect(fresh!.parentId).toBe(sent.id);
    expect(fake.messages.has(sent.id)).toBe(true);
    expect(textOf(receipt!.attachments![0]!.content)).toContain("Called the IT lead");
    if (process.env.PRINT_THREAD_CALLS) console.log(JSON.stringify({ roomId: receipt!.roomId, parentId: receipt!.parentId, markdown: receipt!.markdown }));
    const after = await db.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(after).toMatchObject({ lastAction: "contacted_customer", actedById: sophie, version: alert.version + 1 });
  });

  it("answers a malformed submit with an error card and changes nothing", async () => {
    const sophie = await csmId("sophie.mueller@partner.example");
    const alert = await openAlertNotAssignedTo(sophie);
    const sent = await deliverAlert("sophie.mueller@partner.example", alert.id);
    const auditBefore = await auditCount();
    const deploymentBefore = await db.prisma.deployment.findUniqueOrThrow({ where: { id: alert.useCaseDeployment.deployment.id } });
    const { posted, calls } = await click(people.sophie, sent, { a: "usecase.assign", v: 1, id: "not-a-number", ev: "x" });
    expect(posted).toHaveLength(1);
    expect(textOf(posted[0]!.attachments![0]!.content)).toContain(translator("en")("chat.errors.malformed"));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    expect(fake.messages.has(sent.id)).toBe(true);
    // Answered under the card, which is marked so: a later redraw keeps it, and the error its parent.
    expect(posted[0]!.parentId).toBe(sent.id);
    const row = await db.prisma.outboxMessage.findFirstOrThrow({ where: { alertId: alert.id, channel: "webex", externalId: sent.id } });
    expect(row.payload).toMatchObject({ threaded: true });
    expect(await auditCount()).toBe(auditBefore);
    expect(await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentBefore.id } })).toMatchObject({ version: deploymentBefore.version, assignedCsmId: deploymentBefore.assignedCsmId });
  });

  it("names the field when a form is refused (a contact in the partner's own domain)", async () => {
    const sophie = await csmId("sophie.mueller@partner.example");
    const alert = await openAlertNotAssignedTo(sophie, ["missing_contact", "bounced_contact"]);
    const sent = await deliverAlert("sophie.mueller@partner.example", alert.id);
    const contact = submitData(sent.attachments![0]!.content as AdaptiveCard, "contact.update");
    const auditBefore = await auditCount();
    const { posted } = await click(people.sophie, sent, { ...contact, email: "colleague@partner.example", name: "A Colleague" });
    expect(posted).toHaveLength(1); // one card naming the field, not the same words twice
    const text = textOf(posted[0]!.attachments![0]!.content);
    expect(text).toContain(translator("en")("cards.label.email"));
    expect(text).toContain("partner.example");
    expect(await auditCount()).toBe(auditBefore);
  });

  it("survives a failed people lookup of a sender (the SDK's batcher would hang and crash) and keeps answering", async () => {
    fake.failNext("GET", /^\/people\/[^/]+$/, { status: 404 });
    const dropped = await say(people.james, "help");
    expect(dropped.replies).toHaveLength(0);
    const next = await say(people.james, "help");
    expect(next.replies).toHaveLength(1);
  });

  describe("the port", () => {
    it("turns a 429 into a retryable failure with Retry-After, and sends once Webex recovers", async () => {
      const james = await csmId("james.lee@partner.example");
      const message = { card: { type: "AdaptiveCard" as const, version: "1.3", body: [{ type: "TextBlock" as const, text: "Hello" }] }, fallbackText: "Hello" };
      const to = { kind: "csm" as const, csmId: james, email: "james.lee@partner.example", chatUserId: null };
      fake.failNext("POST", /^\/messages$/, { status: 429, headers: { "Retry-After": "7" } });
      expect(await channel.port.send(to, message)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7_000 });
      const recovered = await channel.port.send(to, message);
      expect(recovered).toMatchObject({ ok: true, conversationId: fake.directRoom(people.james).id });
      expect(fake.messages.get((recovered as { externalId: string }).externalId)?.markdown).toBe("Hello");
    });

    it("tells permanent failures from passing ones", async () => {
      const message = { card: { type: "AdaptiveCard" as const, version: "1.3", body: [] }, fallbackText: "x" };
      const room = fake.groupRoom("Team space", [people.james]);
      expect(await channel.port.send({ kind: "room", address: "Y2lzY29zcGFyazovL3VzL1JPT00vbm9uZQ" }, message)).toMatchObject({ ok: false, retryable: false });
      fake.failNext("POST", /^\/messages$/, { status: 403 });
      expect(await channel.port.send({ kind: "room", address: room.id }, message)).toMatchObject({ ok: false, retryable: false });
      expect(await channel.port.send({ kind: "csm", csmId: 1, email: "nobody@partner.example", chatUserId: null }, message)).toMatchObject({ ok: false, retryable: false });
      fake.failNext("POST", /^\/messages$/, { status: 503 });
      expect(await channel.port.send({ kind: "room", address: room.id }, message)).toMatchObject({ ok: false, retryable: true });
      const sent = await channel.port.send({ kind: "room", address: room.id }, message);
      expect(sent.ok).toBe(true);
      if (!sent.ok) return;
      // replace: a new message in the same space, the old one deleted.
      const replaced = await channel.port.replace(sent.conversationId, sent.externalId, { ...message, fallbackText: "y" });
      expect(replaced).toMatchObject({ ok: true, conversationId: room.id });
      expect(fake.messages.has(sent.externalId)).toBe(false);
    });
  });
});
