import { readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryContext, type ConversationDeps } from "../../src/actions/context.js";
import { fallbackText, renderCard } from "../../src/cards/render.js";
import { alertCardName } from "../../src/protocol/views.js";
import { createSlackChannel, SLACK_COMMAND, SLACK_EVENTS_PATH, type SlackChannel } from "../../src/channels/slack/index.js";
import { decodeSlackText } from "../../src/channels/slack/text.js";
import { loadConfig, type Config, type Locale } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { translator } from "../../src/i18n.js";
import { createLogger } from "../../src/log.js";
import { alertView } from "../../src/queries/queries.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { buttonPress, commandBody, FAKE_TEAM, interactionBody, postSigned, slackSignature, startFakeSlack, type FakeSlack, type RecordedCall, type StoredMessage } from "../support/fake-slack.js";
import { projectPath } from "../../src/paths.js";
import { deliverAlertCard } from "../support/deliver.js";
import { redrawThroughOutbox } from "../support/redraws.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";
import { blockText, buttons } from "../support/slack-blocks.js";

const SECRET = "e2e-signing-secret-5f1c0a";
const BOT_TOKEN = "xoxb-e2e-token";
/** Every line the channel logs during this file, at trace; none may hold a secret (afterAll). */
const captured = captureLog();
const en = translator("en");
const ru = translator("ru");

let fake: FakeSlack;
let db: TestDatabase;
let config: Config;
let deps: ConversationDeps;
let http: HttpServer;
let slack: SlackChannel;
let eventsUrl: string;
let redraws: { stop(): Promise<void> } | undefined;
let seq = 0;

async function slashCommand(userId: string, text: string) {
  const key = `cmd-${++seq}`;
  const post = await postSigned(eventsUrl, SECRET, commandBody({ command: "/lca", text, userId, channelId: `D${userId}`, responseUrl: fake.responseUrl(key) }));
  return { post, key };
}

async function click(userId: string, message: StoredMessage, actionIdPrefix: string) {
  const button = buttons(message.blocks).find((b) => b.action_id.startsWith(actionIdPrefix));
  if (!button) throw new Error(`no button ${actionIdPrefix}… in ${JSON.stringify(buttons(message.blocks).map((b) => b.action_id))}`);
  const key = `click-${++seq}`;
  const triggerId = `trigger-${seq}`;
  const payload = buttonPress({ userId, message, button, triggerId, responseUrl: fake.responseUrl(key) });
  const post = await postSigned(eventsUrl, SECRET, interactionBody(payload));
  return { post, key, triggerId, button };
}

/** The first chat.postEphemeral to the user since call `since`: an answer in a card's thread. */
const ephemeralTo = (user: string, since: number): RecordedCall | undefined => fake.calls.slice(since).find((c) => c.method === "chat.postEphemeral" && c.args.user === user);

/** Delivers an alert card as the outbox dispatcher does, and records the sent row. */
async function deliverAlert(alertId: number, to: { csmId: number; email: string; chatUserId: string | null; locale: Locale } | { room: string }) {
  const locale = "room" in to ? config.partner.defaultLocale : to.locale;
  const destination = "room" in to ? { kind: "room" as const, address: to.room } : { kind: "csm" as const, csmId: to.csmId, email: to.email, chatUserId: to.chatUserId };
  const outcome = await deliverAlertCard(deps, slack.port, destination, alertId, { locale, timeZone: config.partner.timeZone, now: new Date() });
  return fake.messages.get(`${outcome.conversationId}/${outcome.externalId}`)!;
}

const csm = (email: string) => db.prisma.csm.findUniqueOrThrow({ where: { email } });

function signedHeaders(body: string, timestamp: number, contentType = "application/x-www-form-urlencoded"): Record<string, string> {
  return { "content-type": contentType, "x-slack-request-timestamp": String(timestamp), "x-slack-signature": slackSignature(SECRET, timestamp, body) };
}

beforeAll(async () => {
  fake = await startFakeSlack();
  db = await createTestDatabase("embedded");
  config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, TIME_ZONE: "Europe/Berlin", TEAM_SPACES: "slack:C0TEAM=Team, slack:C0OUT=Outside" });
  fake.outsiders.add("C0OUT");
  const { log } = captured;
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  deps = { db, config, log, now: () => new Date() };
  for (const user of [
    { id: "U0ANNA", email: "anna.petrova@partner.example", locale: "ru-RU", name: "Анна Петрова" },
    { id: "U0JAMES", email: "james.lee@partner.example", locale: "en-US", name: "James Lee" },
    { id: "U0OLIVER", email: "oliver.brown@partner.example", locale: "ru-RU", name: "Oliver Brown" },
    { id: "U0SOPHIE", email: "sophie.mueller@partner.example", locale: "en-GB" },
    { id: "U0MARIA", email: "maria.garcia@partner.example", locale: "es-ES" },
    { id: "U0STRANGER", email: "x@other.example", locale: "en-US" },
    { id: "U0NOBODY", email: "nobody@partner.example", locale: "en-US" },
  ]) fake.users.set(user.id, user);
  slack = createSlackChannel({ config, deps, log })!;
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({}) }, started: () => true });
  http.mount("/", slack.http!.router);
  eventsUrl = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  // start() checks the token once (auth.test) and the team channels the bot must be in.
  redraws = await redrawThroughOutbox(deps, [slack.port], log);
  await slack.start();
  expect(slack.teamChannelProblems).toEqual(["the bot is not in C0OUT (Outside): invite it there with /invite"]);
  expect(fake.callsOf("auth.test")).toHaveLength(1);
});

afterAll(async () => {
  await redraws?.stop();
  await slack?.stop(Date.now() + 5_000);
  await http?.close();
  await fake?.close();
  await db?.close();
  expectNoSecrets(captured.lines, [SECRET, BOT_TOKEN]);
});

describe("Slack: /lca", () => {
  it("answers a Russian command in Russian, ephemeral, after an immediate ack", async () => {
    const { post, key } = await slashCommand("U0ANNA", "застрявшие");
    expect(post.status).toBe(200);
    expect(post.text).toBe("");
    const answer = await fake.waitFor("the answer on response_url", () => fake.responses.find((r) => r.key === key));
    expect(answer.body.response_type).toBe("ephemeral");
    const text = blockText(answer.body.blocks);
    expect([ru("cards.list.title.stalled"), ru("chat.empty.stalled")].some((t) => text.includes(t))).toBe(true);
    expect(text).not.toContain(en("cards.list.title.stalled"));
    // Identity came from users.info, with the locale asked for.
    expect(fake.callsOf("users.info").find((c) => c.args.user === "U0ANNA")?.args.include_locale).toBe("true");
    const anna = await csm("anna.petrova@partner.example");
    expect(await db.prisma.chatIdentity.findUnique({ where: { csmId_chat: { csmId: anna.id, chat: "slack" } } })).toMatchObject({ userId: "U0ANNA", locale: "ru", verified: true });
  });

  it("acknowledges within 3 seconds even when the work is slow, and answers later", async () => {
    fake.fail("users.info", { delayMs: 3_500 });
    const { post, key } = await slashCommand("U0SOPHIE", "help");
    expect(post.status).toBe(200);
    expect(post.ms).toBeLessThan(2_500); // users.info alone takes 3.5 s here
    const answer = await fake.waitFor("the late answer", () => fake.responses.find((r) => r.key === key), 15_000);
    expect(answer.at).toBeGreaterThan(fake.callsOf("users.info").find((c) => c.args.user === "U0SOPHIE")!.at);
    expect(blockText(answer.body.blocks)).toContain("/lca stalled");
  });

  it("refuses strangers and other domains without showing data", async () => {
    const outside = await slashCommand("U0STRANGER", "stalled");
    const nobody = await slashCommand("U0NOBODY", "stalled");
    const a = await fake.waitFor("refusal (domain)", () => fake.responses.find((r) => r.key === outside.key));
    const b = await fake.waitFor("refusal (stranger)", () => fake.responses.find((r) => r.key === nobody.key));
    expect(blockText(a.body.blocks)).toContain(en("chat.refusal.outsideDomain", { partner: config.partner.name, domains: "partner.example" }));
    expect(blockText(b.body.blocks)).toContain(en("chat.refusal.stranger", { partner: config.partner.name }));
    for (const r of [a, b]) expect(blockText(r.body.blocks)).not.toContain(en("cards.list.title.stalled"));
  });

  it("decodes Slack's &amp; &lt; &gt; before parsing", async () => {
    expect(decodeSlackText("customer A &amp; B &lt;GmbH&gt;")).toBe("customer A & B <GmbH>");
    expect(decodeSlackText("assign DEP1 <mailto:x@y.example|x@y.example> <@U1|anna> <#C1|team>")).toBe("assign DEP1 x@y.example @anna #team");
    const { key } = await slashCommand("U0SOPHIE", "customer Nothing &amp; Nobody");
    const answer = await fake.waitFor("the answer", () => fake.responses.find((r) => r.key === key));
    // The reply quotes the query once escaped for mrkdwn, never twice.
    const text = blockText(answer.body.blocks);
    expect(text).toContain("Nothing &amp; Nobody");
    expect(text).not.toContain("&amp;amp;");
  });

  it("treats every message in the DM with the bot as a command", async () => {
    const body = JSON.stringify({
      token: "unused",
      team_id: FAKE_TEAM.id,
      api_app_id: "A0LCA",
      type: "event_callback",
      event_id: "Ev0001",
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: FAKE_TEAM.id, user_id: "UBOT", is_bot: true, is_enterprise_install: false }],
      event: { type: "message", channel: "DU0MARIA", channel_type: "im", user: "U0MARIA", text: "help", ts: `${Date.now() / 1000}`, event_ts: `${Date.now() / 1000}` },
    });
    const post = await postSigned(eventsUrl, SECRET, body, { contentType: "application/json" });
    expect(post.status).toBe(200);
    const answer = await fake.waitFor("the DM answer", () => fake.callsOf("chat.postMessage").find((c) => c.args.channel === "DU0MARIA"));
    // Typed without the slash command in the DM, so help shows the bare commands.
    const text = blockText(answer.args.blocks);
    expect(text).toContain("*stalled*");
    expect(text).not.toContain("/lca stalled");
  });
});

describe("Slack: alert cards", () => {
  it("'Assign deployment to me' assigns in the database and rewrites the card everywhere it was sent", async () => {
    const james = await csm("james.lee@partner.example");
    const alert = await db.prisma.alert.findFirstOrThrow({
      where: { status: "open", kind: "stalled", useCaseDeployment: { deployment: { OR: [{ assignedCsmId: null }, { assignedCsmId: { not: james.id } }] } } },
      include: { useCaseDeployment: { include: { deployment: { include: { assignedCsm: true } } } } },
    });
    const deploymentRow = alert.useCaseDeployment.deployment;
    const callsBefore = fake.calls.length;
    const dm = await deliverAlert(alert.id, { csmId: james.id, email: james.email, chatUserId: null, locale: "en" });
    const team = await deliverAlert(alert.id, { room: "C0TEAM" });
    const before = structuredClone(dm.blocks);
    const teamBefore = structuredClone(team.blocks);
    expect(dm.channel).toBe("DU0JAMES");
    expect(blockText(before)).toContain(deploymentRow.assignedCsm?.name ?? en("cards.fact.notAssigned"));

    const { post, key } = await click("U0JAMES", dm, "usecase.assign.");
    expect(post.status).toBe(200);
    expect(post.ms).toBeLessThan(3_000);
    // The receipt goes in the card's thread, seen only by James; nothing on the response_url.
    const receipt = await fake.waitFor("the receipt", () => ephemeralTo("U0JAMES", callsBefore));
    expect(receipt.args).toMatchObject({ channel: dm.channel, user: "U0JAMES", thread_ts: dm.ts });
    expect(blockText(receipt.args.blocks)).toContain(en("cards.receipt.assigned", { name: "James Lee" }));
    expect(String(receipt.args.text)).toContain("James Lee");
    expect(fake.responses.some((r) => r.key === key)).toBe(false);

    const updates = await fake.waitFor("both cards rewritten", () => {
      const found = fake.calls.slice(callsBefore).filter((c) => c.method === "chat.update" && c.args.ts && [dm.ts, team.ts].includes(String(c.args.ts)));
      return found.length >= 2 ? found : undefined;
    });
    expect(new Set(updates.map((u) => u.args.channel))).toEqual(new Set(["DU0JAMES", "C0TEAM"]));
    for (const update of updates) {
      expect(update.args.blocks).toBeInstanceOf(Array); // never text alone: that would strip the card
      const text = blockText(update.args.blocks);
      expect(text).toContain("*CSM*\nJames Lee");
      expect(text).toMatch(/Last step: .*James Lee/);
    }
    const assigned = await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentRow.id } });
    expect(assigned.assignedCsmId).toBe(james.id);
    expect(assigned.version).toBe(deploymentRow.version + 1);
    expect(await db.prisma.auditEntry.count({ where: { action: "usecase.assign", channel: "slack", csmId: james.id } })).toBe(1);

    // A second click, on the team channel's card as it was (stale version), changes nothing and
    // says who did it: ephemeral to the one who clicked, in that card's thread in the channel.
    const callsBeforeAgain = fake.calls.length;
    await click("U0JAMES", { ...team, blocks: teamBefore }, "usecase.assign.");
    const second = await fake.waitFor("the second receipt", () => ephemeralTo("U0JAMES", callsBeforeAgain));
    expect(second.args).toMatchObject({ channel: "C0TEAM", user: "U0JAMES", thread_ts: team.ts });
    expect(blockText(second.args.blocks)).toContain(en("cards.receipt.alreadyDone", { name: "James Lee" }));
    if (process.env.PRINT_THREAD_CALLS) console.log(JSON.stringify([receipt, second].map((c) => ({ method: c.method, channel: c.args.channel, user: c.args.user, thread_ts: c.args.thread_ts, text: c.args.text }))));
    expect((await db.prisma.deployment.findUniqueOrThrow({ where: { id: deploymentRow.id } })).version).toBe(assigned.version);

    if (process.env.SLACK_RECORD_FIXTURES) {
      const roundTrip = fake.calls.slice(callsBefore).filter((c) => c.at <= receipt.at + 2_000);
      writeFileSync(
        projectPath("test", "fixtures", "slack", "assign-round-trip.json"),
        `${JSON.stringify({ before, after: fake.messages.get(`${dm.channel}/${dm.ts}`)!.blocks, calls: roundTrip.map(summarise), receipt: receipt.args }, null, 2)}\n`,
      );
    }
  });

  it("a contact form opens as a modal in the user's Slack language and refuses a partner-domain email next to the field", async () => {
    // Oliver never chose a language: Slack's locale (ru-RU) decides.
    const oliver = await db.prisma.csm.update({ where: { email: "oliver.brown@partner.example" }, data: { locale: null } });
    const alert = await db.prisma.alert.findFirstOrThrow({ where: { status: "open", kind: { in: ["bounced_contact", "missing_contact"] } } });
    const card = await deliverAlert(alert.id, { csmId: oliver.id, email: oliver.email, chatUserId: "U0OLIVER", locale: "ru" });
    const opened = await click("U0OLIVER", card, "modal.contact.update.");
    expect(opened.post.status).toBe(200);

    const open = await fake.waitFor("views.open", () => fake.callsOf("views.open").find((c) => c.args.trigger_id === opened.triggerId));
    const view = open.args.view as { title: { text: string }; blocks: { type: string; block_id?: string }[]; private_metadata: string; callback_id: string };
    expect(view.callback_id).toBe("contact.update");
    expect(view.title.text).toBe(ru("cards.form.contactTitle"));
    expect(view.blocks.filter((b) => b.type === "input").map((b) => b.block_id)).toEqual(expect.arrayContaining(["email", "name"]));
    expect(JSON.parse(view.private_metadata)).toMatchObject({ e: JSON.parse(opened.button.value!), s: { c: card.channel, t: card.ts }, r: fake.responseUrl(opened.key) });

    const submit = (email: string) =>
      postSigned(
        eventsUrl,
        SECRET,
        interactionBody({
          type: "view_submission",
          team: FAKE_TEAM,
          user: { id: "U0OLIVER", username: "u0oliver", team_id: FAKE_TEAM.id },
          api_app_id: "A0LCA",
          token: "unused",
          trigger_id: `trigger-${++seq}`,
          view: {
            id: "V0CONTACT",
            team_id: FAKE_TEAM.id,
            type: "modal",
            callback_id: view.callback_id,
            private_metadata: view.private_metadata,
            blocks: view.blocks,
            title: view.title,
            state: { values: { email: { email: { type: "email_text_input", value: email } }, name: { name: { type: "plain_text_input", value: "Ivan" } } } },
            hash: "1.abc",
            root_view_id: "V0CONTACT",
            previous_view_id: null,
            app_id: "A0LCA",
            bot_id: "BBOT",
            clear_on_close: false,
            notify_on_close: false,
          },
          response_urls: [],
          is_enterprise_install: false,
        }),
      );

    const refused = await submit("x@partner.example");
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.text)).toEqual({ response_action: "errors", errors: { email: ru("chat.contact.partnerDomain", { domain: "partner.example" }) } });
    expect(await db.prisma.contact.count({ where: { email: "x@partner.example" } })).toBe(0);

    // A customer address is saved: the modal closes, the receipt comes in Russian, the card is rewritten.
    const updatesBefore = fake.callsOf("chat.update").length;
    const callsBeforeSave = fake.calls.length;
    const saved = await submit("ivan@customer.example");
    expect(saved.status).toBe(200);
    expect(saved.text).toBe("");
    // In the card's thread, as a click's receipt: the modal's metadata named the card.
    const receipt = await fake.waitFor("the receipt", () => ephemeralTo("U0OLIVER", callsBeforeSave));
    expect(receipt.args).toMatchObject({ channel: card.channel, user: "U0OLIVER", thread_ts: card.ts });
    expect(blockText(receipt.args.blocks)).toContain(ru("cards.receipt.contactSavedPending", { email: "ivan@customer.example" }));
    expect(fake.responses.some((r) => r.key === opened.key)).toBe(false);
    if (process.env.PRINT_THREAD_CALLS) console.log(JSON.stringify({ method: receipt.method, channel: receipt.args.channel, user: receipt.args.user, thread_ts: receipt.args.thread_ts, text: receipt.args.text }));
    expect(await db.prisma.contact.count({ where: { email: "ivan@customer.example", source: "partner" } })).toBe(1);
    const update = await fake.waitFor("the card rewritten", () => fake.callsOf("chat.update").slice(updatesBefore).find((c) => c.args.ts === card.ts));
    expect(update.args.channel).toBe(card.channel);
  });
});

describe("Slack: a receipt Slack will not post in the card's thread", () => {
  it("comes on the click's response_url instead, in Russian", async () => {
    const anna = await csm("anna.petrova@partner.example");
    const alert = await db.prisma.alert.findFirstOrThrow({
      where: { status: "open", kind: "stalled", useCaseDeployment: { deployment: { OR: [{ assignedCsmId: null }, { assignedCsmId: { not: anna.id } }] } } },
      orderBy: { id: "desc" },
    });
    const card = await deliverAlert(alert.id, { csmId: anna.id, email: anna.email, chatUserId: "U0ANNA", locale: "ru" });
    const since = fake.calls.length;
    fake.fail("chat.postEphemeral", { error: "channel_not_found" });
    const { key } = await click("U0ANNA", card, "usecase.assign.");
    const answer = await fake.waitFor("the receipt on response_url", () => fake.responses.find((r) => r.key === key));
    expect(fake.calls.slice(since).some((c) => c.method === "chat.postEphemeral" && c.args.thread_ts === card.ts)).toBe(true);
    expect(answer.body).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(blockText(answer.body.blocks)).toContain("Развёртывание назначено");
  });
});

describe("Slack: requests and rate limits", () => {
  it("refuses a forged and a stale signature with 401 before any work", async () => {
    const body = commandBody({ command: "/lca", text: "stalled", userId: "U0FORGED", channelId: "DU0FORGED", responseUrl: fake.responseUrl("forged") });
    const forged = await postSigned(eventsUrl, SECRET, body, { signature: `v0=${"0".repeat(64)}` });
    const otherSecret = await postSigned(eventsUrl, "not-the-secret", body);
    const stale = await postSigned(eventsUrl, SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect([forged.status, otherSecret.status, stale.status]).toEqual([401, 401, 401]);
    const fresh = await postSigned(eventsUrl, SECRET, body);
    expect(fresh.status).toBe(200); // the same body, properly signed, is taken
    await fake.waitFor("the signed one answered", () => fake.responses.find((r) => r.key === "forged"));
    expect(fake.responses.filter((r) => r.key === "forged")).toHaveLength(1);
  });

  it("refuses a request timestamped from the future (Bolt checks only the past) with 401, and a replayed one is acted on once", async () => {
    const body = commandBody({ command: "/lca", text: "help", userId: "U0JAMES", channelId: "DU0JAMES", responseUrl: fake.responseUrl("future"), triggerId: "trigger-future" });
    const now = Math.floor(Date.now() / 1000);
    for (const skew of [10 * 60, 5 * 60 + 5, -(5 * 60 + 5)]) {
      const refused = await postSigned(eventsUrl, SECRET, body, { timestamp: now + skew });
      expect(refused.status, `skew ${skew}`).toBe(401);
      expect(JSON.parse(refused.text), `skew ${skew}`).toEqual({ error: "stale or future timestamp" });
    }
    for (const timestamp of ["", "abc", "1e9", "-1", `${now}.5`, " ".repeat(3)]) {
      const refused = await fetch(eventsUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": timestamp, "x-slack-signature": "v0=00" }, body });
      expect(refused.status, JSON.stringify(timestamp)).toBe(401);
    }
    // Within the window both ways: taken once; the same signed bytes again are acknowledged and dropped.
    const signature = slackSignature(SECRET, now + 60, body);
    const first = await postSigned(eventsUrl, SECRET, body, { timestamp: now + 60, signature });
    const again = await postSigned(eventsUrl, SECRET, body, { timestamp: now + 60, signature });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.text).toBe("");
    await fake.waitFor("the first answered", () => fake.responses.find((r) => r.key === "future"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.responses.filter((r) => r.key === "future")).toHaveLength(1);
  });

  it("answers malformed, oversized, unsigned and wrong-method requests with short JSON, never an HTML page", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: { name: string; init: RequestInit; status: number }[] = [
      { name: "unsigned", init: { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }, status: 401 },
      { name: "malformed JSON, signed", init: { method: "POST", headers: signedHeaders('{"type": "event_callback",', now, "application/json"), body: '{"type": "event_callback",' }, status: 400 },
      { name: "malformed payload, signed", init: { method: "POST", headers: signedHeaders("payload=%7Bnot-json", now), body: "payload=%7Bnot-json" }, status: 400 },
      { name: "oversized", init: { method: "POST", headers: { "content-type": "application/json" }, body: "x".repeat(1_100_000) }, status: 413 },
      { name: "GET", init: { method: "GET" }, status: 405 },
      { name: "PUT", init: { method: "PUT", body: "x" }, status: 405 },
    ];
    for (const { name, init, status } of cases) {
      const answer = await fetch(eventsUrl, init);
      expect(answer.status, name).toBe(status);
      expect(answer.headers.get("content-type"), name).toMatch(/application\/json/);
      const text = await answer.text();
      expect(text.length, name).toBeLessThan(200);
      expect(Object.keys(JSON.parse(text) as object), name).toEqual(["error"]);
    }
    const unknown = await fetch(eventsUrl.replace(SLACK_EVENTS_PATH, "/slack/nothing"), { method: "POST", body: "x" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "not found" });
  });

  it("answers Slack's signed url_verification with its challenge (the Event Subscriptions check)", async () => {
    const post = await postSigned(eventsUrl, SECRET, JSON.stringify({ token: "unused", challenge: "c-123", type: "url_verification" }), { contentType: "application/json" });
    expect(post.status).toBe(200);
    expect(JSON.parse(post.text)).toEqual({ challenge: "c-123" });
  });

  it("reports a 429 with its Retry-After to the outbox without retrying, then succeeds after it", async () => {
    const view = (await alertView(queryContext(deps), (await db.prisma.alert.findFirstOrThrow({ where: { status: "open" } })).id))!;
    const card = renderCard(alertCardName(view.kind), view, { locale: "en", timeZone: "UTC" });
    const message = { card, fallbackText: fallbackText(card) };
    fake.fail("chat.postMessage", { status: 429, retryAfter: 2 });
    const started = Date.now();
    const limited = await slack.port.send({ kind: "room", address: "C0RATE" }, message);
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2_000 });
    expect(Date.now() - started).toBeLessThan(1_500); // rejected at once, not waited out: the outbox decides when
    const attempts = () => fake.callsOf("chat.postMessage").filter((c) => c.args.channel === "C0RATE");
    expect(attempts().map((c) => c.status)).toEqual([429]);

    await new Promise((resolve) => setTimeout(resolve, limited.ok ? 0 : limited.retryAfterMs));
    const sent = await slack.port.send({ kind: "room", address: "C0RATE" }, message);
    expect(sent).toMatchObject({ ok: true, conversationId: "C0RATE" });
    expect(attempts().map((c) => c.status)).toEqual([429, 200]);
    expect(attempts()[1]!.args.blocks).toBeInstanceOf(Array);
    expect(String(attempts()[1]!.args.text)).not.toBe("");

    fake.fail("chat.postMessage", { error: "channel_not_found" });
    expect(await slack.port.send({ kind: "room", address: "C0GONE" }, message)).toMatchObject({ ok: false, retryable: false, reason: "channel_not_found" });
    fake.fail("chat.postMessage", { error: "internal_error" });
    expect(await slack.port.send({ kind: "room", address: "C0FLAKY" }, message)).toMatchObject({ ok: false, retryable: true });
    expect(await slack.port.send({ kind: "csm", csmId: 1, email: "left@partner.example", chatUserId: null }, message)).toMatchObject({ ok: false, retryable: false, reason: "users_not_found" });
  });
});

describe("Slack: settings", () => {
  it("is off without SLACK_BOT_TOKEN and says so once", () => {
    const lines: string[] = [];
    const log = createLogger("info", { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream);
    expect(createSlackChannel({ config: loadConfig({}), deps, log })).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("Slack is off");
  });

  it("has a manifest that matches the adapter: the command, the URL path, the events and the scopes", () => {
    const manifest = readFileSync(projectPath("slack", "manifest.yml"), "utf8");
    expect(manifest).toContain(`command: ${SLACK_COMMAND}`);
    const urls = [...manifest.matchAll(/(?:url|request_url): (\S+)/g)].map((m) => m[1]!);
    expect(urls).toHaveLength(3);
    for (const url of urls) expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
    for (const scope of ["chat:write", "commands", "im:write", "im:history", "users:read", "users:read.email"]) expect(manifest).toMatch(new RegExp(`^\\s+- ${scope}\\s`, "m"));
    expect(manifest).toMatch(/bot_events:\s+- message\.im/);
  });

  it("uses Socket Mode with SLACK_APP_TOKEN: nothing to serve on HTTP", async () => {
    const socket = createSlackChannel({ config: loadConfig({ SLACK_BOT_TOKEN: "xoxb-e2e-token", SLACK_APP_TOKEN: "xapp-1-e2e", SLACK_API_URL: fake.apiUrl }), deps, log: createLogger("silent") })!;
    expect(socket.mode).toBe("socket");
    expect(socket.http).toBeUndefined();
    await socket.stop(Date.now() + 100);
  });
});

/** A recorded call, for the fixture: the method and the arguments that matter. */
function summarise(call: RecordedCall) {
  const { token: _token, blocks, view, ...rest } = call.args;
  return { method: call.method, status: call.status, args: { ...rest, ...(blocks ? { blocks: `${(blocks as unknown[]).length} blocks` } : {}), ...(view ? { view: "(modal)" } : {}) } };
}
