import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { createWebexChannel, WEBEX_WEBHOOK_PATH, type WebexChannel } from "../../src/channels/webex/index.js";
import { loadConfig } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { translator } from "../../src/i18n.js";
import { createLogger } from "../../src/log.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { UPLOAD_HEADER } from "../../src/writeback/workbook.js";
import { deploymentNotOf, readUploadWorkbook } from "../support/changes-workbook.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { FakeWebex, type FakePerson } from "../support/fake-webex.js";

/** `changes` through the real webex-node-bot-framework and SDK against the fake Webex: the workbook arrives attached (multipart `files`). */
const SECRET = "webex-changes-webhook-secret";
const en = translator("en");
const ru = translator("ru");
const fake = new FakeWebex();
let db: TestDatabase;
let http: HttpServer;
let channel: WebexChannel;
let deploymentId: string;
const people: Record<"james" | "anna" | "sophie" | "dmitry", FakePerson> = {} as never;

beforeAll(async () => {
  await fake.start();
  db = await createTestDatabase("embedded");
  const log = createLogger("silent");
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, started: () => true, readiness: { checks: async () => ({}) } });
  const webhookUrl = `http://127.0.0.1:${new URL(http.url).port}${WEBEX_WEBHOOK_PATH}`;
  const config = loadConfig({ WEBEX_BOT_TOKEN: "fake-webex-changes-token", WEBEX_WEBHOOK_URL: webhookUrl, WEBEX_WEBHOOK_SECRET: SECRET, WEBEX_API_URL: fake.apiUrl, LOG_LEVEL: "silent", ADMINS: "james.lee@partner.example,anna.petrova@partner.example" });
  const deps: ConversationDeps = { db, config, log, now: () => new Date() };
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  people.james = fake.addPerson("james.lee@partner.example", "James Lee");
  people.anna = fake.addPerson("anna.petrova@partner.example", "Анна Петрова");
  people.sophie = fake.addPerson("sophie.mueller@partner.example", "Sophie Müller");
  people.dmitry = fake.addPerson("dmitry.sokolov@partner.example", "Дмитрий Соколов");
  channel = createWebexChannel({ settings: config.webex!, deps, log });
  http.mount("/", channel.http.router);
  await channel.start();
  deploymentId = await deploymentNotOf(db, "sophie.mueller@partner.example");
});

afterAll(async () => {
  await channel?.stop(Date.now() + 2_000);
  await http?.close();
  await fake.stop();
  await db?.close();
});

/** A person writes in their 1:1 space; the bot's answers come back, with the calls it made. */
async function say(person: FakePerson, text: string) {
  const room = fake.directRoom(person);
  const since = fake.posted.length;
  const callsBefore = fake.calls.length;
  const response = await fake.deliver(fake.say(person, room, text, { mention: false }));
  expect(response.status).toBe(200);
  await channel.idle();
  return { replies: fake.botMessages(room.id, since), calls: fake.calls.slice(callsBefore) };
}
const said = (replies: { markdown?: string; attachments?: unknown[] }[]) => replies.map((m) => JSON.stringify(m.attachments ?? m.markdown)).join(" ");

describe("Webex: changes", () => {
  it("tells an admin nothing waits for LCA, with no file, before any change", async () => {
    const { replies } = await say(people.james, "changes");
    expect(said(replies)).toContain(en("chat.changes.none"));
    expect(replies.some((m) => m.uploads)).toBe(false);
  });

  it("posts the workbook to the admin as a message with the file attached, the counts as its text", async () => {
    await say(people.james, `assign ${deploymentId} to sophie.mueller@partner.example`);
    const { replies, calls } = await say(people.james, "changes");
    const withFile = replies.filter((m) => m.uploads);
    expect(withFile).toHaveLength(1);
    const upload = withFile[0]!.uploads![0]!;
    expect(upload.name).toMatch(/^lca-changes-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(upload.contentType).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(upload.size).toBeGreaterThan(0);
    const workbook = await readUploadWorkbook(upload.bytes);
    expect(workbook.header).toEqual([...UPLOAD_HEADER]);
    expect(new Set(workbook.deploymentIds)).toEqual(new Set([deploymentId]));
    expect(withFile[0]!.markdown).toBe(en("chat.changes.comment", { emailPending: 0, emailStale: 0, namePending: 0, nameStale: 0, csmPending: 1, csmStale: 0, rows: workbook.deploymentIds.length }));
    const posts = calls.filter((c) => c.method === "POST" && c.path === "/messages");
    expect(posts).toHaveLength(1);
  });

  it("answers a Russian admin in Russian, with the file", async () => {
    const { replies } = await say(people.anna, "изменения");
    const withFile = replies.find((m) => m.uploads);
    expect(withFile?.markdown).toContain(ru("chat.changes.comment", { emailPending: 0, emailStale: 0, namePending: 0, nameStale: 0, csmPending: 1, csmStale: 0, rows: 0 }).split(". ")[0]!);
    expect((await readUploadWorkbook(withFile!.uploads![0]!.bytes)).sheets).toContain("Use Cases");
  });

  it("asked in a group space, sends the file to the admin's 1:1 space, not to the space", async () => {
    const group = fake.groupRoom("CS team", [people.james, people.sophie]);
    const since = fake.posted.length;
    const response = await fake.deliver(fake.say(people.james, group, "changes", { mention: true }));
    expect(response.status).toBe(200);
    await channel.idle();
    const files = fake.posted.slice(since).filter((m) => m.uploads);
    expect(files.map((m) => m.roomId)).toEqual([fake.directRoom(people.james).id]);
    expect(fake.botMessages(group.id, since).some((m) => m.uploads)).toBe(false);
  });

  it.each([
    ["james", "changes", en],
    ["anna", "изменения", ru],
  ] as const)("asked in a group space, says there, in the thread and in the asker's language, that the workbook is in the 1:1 space (%s)", async (who, text, t) => {
    const person = people[who];
    const group = fake.groupRoom(`CS team ${who}`, [person, people.sophie]);
    const since = fake.posted.length;
    const asked = fake.say(person, group, text, { mention: true });
    expect((await fake.deliver(asked)).status).toBe(200);
    await channel.idle();
    const inSpace = fake.botMessages(group.id, since);
    expect(inSpace).toHaveLength(1);
    expect(said(inSpace)).toContain(JSON.stringify(t("chat.changes.inYourDm")).slice(1, -1));
    expect(inSpace[0]!.uploads).toBeUndefined();
    expect(said(inSpace)).not.toContain(deploymentId);
    expect(fake.posted.slice(since).filter((m) => m.uploads).map((m) => m.roomId)).toEqual([fake.directRoom(person).id]);
  });

  it("asked in the 1:1 space, adds no note there: the file is the answer", async () => {
    const { replies } = await say(people.james, "changes");
    expect(replies.filter((m) => m.uploads)).toHaveLength(1);
    expect(said(replies)).not.toContain(JSON.stringify(en("chat.changes.inYourDm")).slice(1, -1));
  });

  it("refuses anyone but an admin in their language, and attaches nothing", async () => {
    const english = await say(people.sophie, "changes");
    expect(said(english.replies)).toContain(en("chat.changes.notAdmin"));
    const russian = await say(people.dmitry, "изменения");
    expect(said(russian.replies)).toContain(ru("chat.changes.notAdmin"));
    expect([...english.replies, ...russian.replies].some((m) => m.uploads)).toBe(false);
  });
});
