import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { createWebexChannel, WEBEX_WEBHOOK_PATH, type WebexChannel } from "../../src/channels/webex/index.js";
import { loadConfig, type Config } from "../../src/config.js";
import { isoWeekOf, todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { createDispatcher } from "../../src/delivery/dispatcher.js";
import { translator } from "../../src/i18n.js";
import { enqueueTeamReports } from "../../src/jobs/team-report-job.js";
import { createLogger } from "../../src/log.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { FAST_TUNING } from "../support/delivery.js";
import { FakeWebex, type FakePerson, type FakeRoom } from "../support/fake-webex.js";

/** `team` and the weekly team report through the real webex-node-bot-framework and the outbox against the fake Webex: the chart arrives as an image/png attachment (multipart `files`). */
const SECRET = "webex-team-webhook-secret";
const en = translator("en");
const ru = translator("ru");
const fake = new FakeWebex();
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
let db: TestDatabase;
let http: HttpServer;
let channel: WebexChannel;
let config: Config;
let teamRoom: FakeRoom;
const people: Record<"james" | "anna" | "sophie", FakePerson> = {} as never;
const week = () => isoWeekOf(todayIn("UTC")).label;

beforeAll(async () => {
  await fake.start();
  db = await createTestDatabase("embedded");
  const log = createLogger("silent");
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, started: () => true, readiness: { checks: async () => ({}) } });
  const webhookUrl = `http://127.0.0.1:${new URL(http.url).port}${WEBEX_WEBHOOK_PATH}`;
  people.james = fake.addPerson("james.lee@partner.example", "James Lee");
  people.anna = fake.addPerson("anna.petrova@partner.example", "Анна Петрова");
  people.sophie = fake.addPerson("sophie.mueller@partner.example", "Sophie Müller");
  teamRoom = fake.groupRoom("Team", [people.james, people.sophie]);
  config = loadConfig({
    WEBEX_BOT_TOKEN: "fake-webex-team-token",
    WEBEX_WEBHOOK_URL: webhookUrl,
    WEBEX_WEBHOOK_SECRET: SECRET,
    WEBEX_API_URL: fake.apiUrl,
    LOG_LEVEL: "silent",
    ADMINS: "james.lee@partner.example",
    TEAM_LEADS: "anna.petrova@partner.example",
    TEAM_SPACES: `webex:${teamRoom.id}=Team`,
  });
  const deps: ConversationDeps = { db, config, log, now: () => new Date() };
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  channel = createWebexChannel({ settings: config.webex!, deps, log });
  http.mount("/", channel.http.router);
  await channel.start();
});

afterAll(async () => {
  await channel?.stop(Date.now() + 2_000);
  await http?.close();
  await fake.stop();
  await db?.close();
});

/** A person writes in a space (their 1:1 space unless named, mentioning the bot in a group space); the bot's answers there come back. */
async function say(person: FakePerson, text: string, room: FakeRoom = fake.directRoom(person)) {
  const since = fake.posted.length;
  const response = await fake.deliver(fake.say(person, room, text, { mention: room.type === "group" }));
  expect(response.status).toBe(200);
  await channel.idle();
  return fake.botMessages(room.id, since);
}
const said = (replies: { markdown?: string; attachments?: unknown[] }[]) => replies.map((m) => JSON.stringify(m.attachments ?? m.markdown)).join(" ");
const pngOf = (replies: Awaited<ReturnType<typeof say>>) => {
  const withFile = replies.filter((m) => m.uploads);
  expect(withFile).toHaveLength(1);
  return { message: withFile[0]!, upload: withFile[0]!.uploads![0]! };
};

describe("Webex: the team report", () => {
  it("answers an admin's @mention in a group space with the card and the chart attached as image/png in that space", async () => {
    const replies = await say(people.james, "team", teamRoom);
    expect(said(replies)).toContain(en("cards.team.title", { week: week() }));
    const { message, upload } = pngOf(replies);
    expect(message.roomId).toBe(teamRoom.id);
    expect(upload.name).toBe(`team-report-${week()}.png`);
    expect(upload.contentType).toBe("image/png");
    expect(upload.size).toBeGreaterThan(0);
    expect(upload.bytes.subarray(0, 8).equals(PNG)).toBe(true);
    expect(message.markdown).toBe(en("chat.team.comment", { week: week() }));
  });

  it("answers a team lead in Russian in their 1:1 space", async () => {
    const replies = await say(people.anna, "команда");
    expect(said(replies)).toContain(ru("cards.team.title", { week: week() }));
    const { upload, message } = pngOf(replies);
    expect(upload.bytes.subarray(0, 8).equals(PNG)).toBe(true);
    expect(message.markdown).toBe(ru("chat.team.comment", { week: week() }));
  });

  it("refuses a plain CSM and attaches nothing", async () => {
    const replies = await say(people.sophie, "team");
    expect(said(replies)).toContain(en("chat.team.notAllowed"));
    expect(replies.some((m) => m.uploads)).toBe(false);
  });

  it("delivers the weekly report through the outbox to the team space: the card, then a message with the PNG", async () => {
    const now = new Date();
    expect(await enqueueTeamReports(db.pool, { spaces: config.teamSpaces, timeZone: config.partner.timeZone, now })).toBe(1);
    expect(await enqueueTeamReports(db.pool, { spaces: config.teamSpaces, timeZone: config.partner.timeZone, now })).toBe(0);
    // Only the report goes out here: the demo's own rows are another test's.
    await db.pool.query(`UPDATE outbox_message SET status = 'superseded' WHERE kind <> 'team_report' AND status IN ('pending', 'failed')`);
    const since = fake.posted.length;
    await createDispatcher({ pool: db.pool, prisma: db.prisma, config, ports: [channel.port!], log: createLogger("silent"), tuning: FAST_TUNING }).drainOnce();
    const { rows } = await db.pool.query<{ status: string }>(`SELECT status::text AS status FROM outbox_message WHERE kind = 'team_report'`);
    expect(rows).toEqual([{ status: "sent" }]);
    const posted = fake.botMessages(teamRoom.id, since);
    expect(said(posted.filter((m) => m.attachments))).toContain(en("cards.team.title", { week: week() }));
    const { upload } = pngOf(posted);
    expect(upload.contentType).toBe("image/png");
    expect(upload.size).toBeGreaterThan(0);
    expect(upload.bytes.subarray(0, 8).equals(PNG)).toBe(true);
  });
});
