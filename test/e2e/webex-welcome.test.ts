import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import type { AdaptiveCard } from "../../src/cards/adaptive-card.js";
import { createWebexChannel, WEBEX_WEBHOOK_PATH, type WebexChannel } from "../../src/channels/webex/index.js";
import { loadConfig, type Config } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { translator } from "../../src/i18n.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { FakeWebex, type FakeJoin, type FakePerson, type FakeRoom } from "../support/fake-webex.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";

/**
 * The Webex welcome end to end: signed `memberships` `created` events for the bot's own
 * membership, through the real webex-node-bot-framework and SDK, against the fake Webex API.
 */

const SECRET = "webex-welcome-secret-for-tests";
// No underscores: the SDK would otherwise fetch its service catalog from the internet.
const TOKEN = "fake-webex-bot-token-for-the-welcome-tests";
const CARD = "application/vnd.microsoft.card.adaptive";
const en = translator("en");
const ru = translator("ru");

const captured = captureLog();
const fake = new FakeWebex();
let db: TestDatabase;
let http: HttpServer;
let channel: WebexChannel;
let config: Config;
let deps: ConversationDeps;
const people: Record<"james" | "anna" | "sophie" | "eve", FakePerson> = {} as never;
let teamRoom: FakeRoom;
let publicSectorRoom: FakeRoom;

beforeAll(async () => {
  await fake.start();
  db = await createTestDatabase("embedded");
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log: captured.log, started: () => true, readiness: { checks: async () => ({}) } });
  const webhookUrl = `http://127.0.0.1:${new URL(http.url).port}${WEBEX_WEBHOOK_PATH}`;
  people.james = fake.addPerson("james.lee@partner.example", "James Lee");
  people.anna = fake.addPerson("anna.petrova@partner.example", "Анна Петрова");
  people.sophie = fake.addPerson("sophie.mueller@partner.example", "Sophie Müller");
  people.eve = fake.addPerson("eve@elsewhere.example", "Eve Outsider");
  // A team space must exist before the settings name it.
  teamRoom = fake.groupRoom("Enterprise CS", [people.james, people.sophie]);
  publicSectorRoom = fake.groupRoom("Госсектор", [people.anna]);
  const teamSpaces = `webex:${teamRoom.id}=Team Enterprise, webex:${publicSectorRoom.id}=Команда «Госсектор»`;
  config = loadConfig({ WEBEX_BOT_TOKEN: TOKEN, WEBEX_WEBHOOK_URL: webhookUrl, WEBEX_WEBHOOK_SECRET: SECRET, WEBEX_API_URL: fake.apiUrl, TEAM_SPACES: teamSpaces });
  deps = { db, config, log: captured.log, now: () => new Date() };
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  channel = createWebexChannel({ settings: config.webex!, deps, log: captured.log });
  http.mount("/", channel.http.router);
  await channel.start();
});

afterAll(async () => {
  await channel?.stop(Date.now() + 2_000);
  await http?.close();
  await fake.stop();
  await db?.close();
  expectNoSecrets(captured.lines, [SECRET, TOKEN]);
});

/**
 * The texts of a card as a reader sees them: without the invisible joiners escaping puts
 * around markup characters, and with the backticks it shows as ˋ put back (escape.ts).
 */
function textsOf(card: AdaptiveCard): string[] {
  return (card.body ?? []).flatMap((item) => (item.type === "TextBlock" && typeof item.text === "string" ? [item.text.replace(/\u2060/g, "").replace(/\u02CB/g, "`")] : []));
}

/** Webex posts the signed event of `join`; what the bot posted in the room afterwards comes back. */
async function deliver(join: FakeJoin) {
  const since = fake.posted.length;
  const response = await fake.deliver(join);
  expect(response.status).toBe(200);
  await channel.idle();
  return fake.botMessages(join.membership.roomId, since).map((message) => {
    expect(message.attachments?.[0]?.contentType).toBe(CARD);
    expect(message.parentId).toBeUndefined();
    return { message, texts: textsOf(message.attachments![0]!.content as AdaptiveCard) };
  });
}

const partner = () => config.partner.name;

describe("Webex: the welcome when the bot is added to a space", () => {
  it("greets a CSM in a 1:1 space in English: who it is, what it sends, how to ask for help", async () => {
    const room = fake.directRoom(people.james);
    const callsBefore = fake.calls.length;
    const [welcome, ...more] = await deliver(fake.joined(people.james, room));
    expect(more).toEqual([]);
    expect(welcome!.texts).toEqual([
      en("cards.welcome.title", { partner: partner() }),
      en("cards.welcome.about", { partner: partner() }),
      en("cards.welcome.direct"),
      en("cards.welcome.help", { help: "help" }),
    ]);
    // The fallback text for clients without cards says the same.
    expect(welcome!.message.markdown).toContain("help");
    // What the fake recorded for one welcome, for the closing note.
    const lines = fake.calls.slice(callsBefore).map((c) => `${c.method} ${c.path} → ${c.status}`);
    expect(lines).toContain(`GET /rooms/${room.id} → 200`);
    expect(lines).toContain(`GET /people/${people.james.id} → 200`);
    expect(lines.filter((l) => l.startsWith("POST /messages"))).toEqual(["POST /messages → 200"]);
  });

  it("greets a Russian-speaking CSM in a 1:1 space in Russian", async () => {
    const [welcome] = await deliver(fake.joined(people.anna, fake.directRoom(people.anna)));
    expect(welcome!.texts).toEqual([ru("cards.welcome.title", { partner: partner() }), ru("cards.welcome.about", { partner: partner() }), ru("cards.welcome.direct"), ru("cards.welcome.help", { help: "помощь" })]);
  });

  it("in a team space of TEAM_SPACES names it, and shows help as a mention", async () => {
    const [welcome, ...more] = await deliver(fake.joined(people.james, teamRoom));
    expect(more).toEqual([]);
    expect(welcome!.texts).toEqual([
      en("cards.welcome.title", { partner: partner() }),
      en("cards.welcome.about", { partner: partner() }),
      en("cards.welcome.group"),
      en("cards.welcome.teamSpace", { name: "Team Enterprise" }),
      en("cards.welcome.help", { help: `@${fake.bot.displayName} help` }),
    ]);
  });

  it("names the team space in Russian for a Russian-speaking CSM", async () => {
    const [welcome] = await deliver(fake.joined(people.anna, publicSectorRoom));
    expect(welcome!.texts[3]).toBe(ru("cards.welcome.teamSpace", { name: "Команда «Госсектор»" }));
    expect(welcome!.texts[4]).toBe(ru("cards.welcome.help", { help: `@${fake.bot.displayName} помощь` }));
  });

  it("in a group space that is not a team space says so, in the inviter's language", async () => {
    const room = fake.groupRoom("Проект Acme", [people.anna, people.james]);
    const [welcome] = await deliver(fake.joined(people.anna, room));
    expect(welcome!.texts).toEqual([
      ru("cards.welcome.title", { partner: partner() }),
      ru("cards.welcome.about", { partner: partner() }),
      ru("cards.welcome.group"),
      ru("cards.welcome.notTeamSpace"),
      ru("cards.welcome.help", { help: `@${fake.bot.displayName} помощь` }),
    ]);
  });

  it("posts the welcome once when Webex delivers the same event again", async () => {
    const room = fake.groupRoom("Renewals", [people.sophie]);
    const join = fake.joined(people.sophie, room);
    expect(await deliver(join)).toHaveLength(1);
    expect(await deliver(join)).toHaveLength(0);
    expect(fake.botMessages(room.id)).toHaveLength(1);
  });

  it("greets when someone outside the partner adds it, saying only whom it serves: nothing of alerts or team spaces", async () => {
    const room = fake.groupRoom("Vendor chat", [people.eve, people.sophie]);
    const [welcome] = await deliver(fake.joined(people.eve, room));
    expect(welcome!.texts).toEqual([
      en("cards.welcome.title", { partner: partner() }),
      en("cards.welcome.stranger", { partner: partner() }),
      en("cards.welcome.help", { help: `@${fake.bot.displayName} help` }),
    ]);
    // Eve's account is not linked: she is not a CSM.
    expect(await db.prisma.chatIdentity.count({ where: { chat: "webex", userId: people.eve.id } })).toBe(0);
  });

  it("does not greet a 1:1 space the bot opened itself (to send an alert)", async () => {
    const room = fake.directRoom(people.sophie);
    expect(await deliver(fake.joined(fake.bot, room))).toEqual([]);
  });

  it("greets first, then answers, when a CSM's first message opens the 1:1 space", async () => {
    const oliver = fake.addPerson("oliver.brown@partner.example", "Oliver Brown");
    const room = fake.directRoom(oliver);
    const since = fake.posted.length;
    // Webex posts both events at once: the bot's membership, then the message.
    const [joined, said] = await Promise.all([fake.deliver(fake.joined(oliver, room)), fake.deliver(fake.say(oliver, room, "help"))]);
    expect([joined.status, said.status]).toEqual([200, 200]);
    let posted = fake.botMessages(room.id, since);
    for (let i = 0; i < 200 && posted.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      await channel.idle();
      posted = fake.botMessages(room.id, since);
    }
    const texts = posted.map((m) => textsOf(m.attachments![0]!.content as AdaptiveCard));
    expect(texts).toHaveLength(2);
    expect(texts[0]![0]).toBe(en("cards.welcome.title", { partner: partner() }));
    expect(texts[1]![0]).toBe(en("cards.help.title"));
  });
});
