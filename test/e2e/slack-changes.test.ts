import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackChannel } from "../../src/channels/slack/index.js";
import { translator } from "../../src/i18n.js";
import { createLogger } from "../../src/log.js";
import { UPLOAD_HEADER } from "../../src/writeback/workbook.js";
import { deploymentNotOf, readUploadWorkbook } from "../support/changes-workbook.js";
import type { TestDatabase } from "../support/db.js";
import { commandBody, eventBody, FAKE_BOT_USER_ID, postSigned, type FakeSlack } from "../support/fake-slack.js";
import { blockText } from "../support/slack-blocks.js";
import { startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

/** `/lca changes` through the real Bolt receiver against the fake Slack: the workbook arrives in the admin's DM by files.uploadV2. */
const SECRET = "e2e-changes-signing-secret";
const ENV = { ADMINS: "james.lee@partner.example,anna.petrova@partner.example" };
const en = translator("en");
const ru = translator("ru");

let fake: FakeSlack;
let db: TestDatabase;
let h: SlackHarness;
let slack: SlackChannel;
let eventsUrl: string;
let deploymentId: string;
let seq = 0;

async function slashCommand(userId: string, text: string, channelId = "C0TEAM") {
  const key = `cmd-${++seq}`;
  const post = await postSigned(eventsUrl, SECRET, commandBody({ command: "/lca", text, userId, channelId, responseUrl: fake.responseUrl(key) }));
  expect(post.status).toBe(200);
  return key;
}
const answerOf = (key: string) => fake.waitFor(`the answer to ${key}`, () => fake.responses.find((r) => r.key === key));

beforeAll(async () => {
  h = await startSlackHarness({
    secret: SECRET,
    botToken: "xoxb-changes",
    log: createLogger("silent"),
    users: [
      { id: "U0ANNA", email: "anna.petrova@partner.example", locale: "ru-RU" },
      { id: "U0JAMES", email: "james.lee@partner.example", locale: "en-US" },
      { id: "U0DMITRY", email: "dmitry.sokolov@partner.example", locale: "ru-RU" },
      { id: "U0SOPHIE", email: "sophie.mueller@partner.example", locale: "en-GB" },
    ],
    env: ENV,
  });
  ({ fake, db, slack, eventsUrl } = h);
  deploymentId = await deploymentNotOf(db, "sophie.mueller@partner.example");
});

afterAll(async () => {
  await h?.stop();
});

describe("Slack: /lca changes", () => {
  it("tells an admin nothing waits for LCA, with no file, before any change", async () => {
    const answer = await answerOf(await slashCommand("U0JAMES", "changes"));
    expect(blockText(answer.body.blocks)).toContain(en("chat.changes.none"));
    expect(fake.files).toEqual([]);
  });

  it("uploads the workbook into the admin's DM: URL, bytes, completed with the counts as its comment", async () => {
    await answerOf(await slashCommand("U0JAMES", `assign ${deploymentId} to sophie.mueller@partner.example`));
    const from = fake.calls.length;
    await slashCommand("U0JAMES", "changes");
    const file = await fake.waitFor("the completed upload", () => fake.files.find((f) => f.channel));
    // Into the DM, not the channel the command was typed in: the workbook is the partner's data.
    expect(file.channel).toBe("DU0JAMES");
    expect(file.filename).toMatch(/^lca-changes-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(file.bytes!.length).toBe(file.length);
    expect(file.length).toBeGreaterThan(0);
    const workbook = await readUploadWorkbook(file.bytes!);
    expect(file.initialComment).toBe(en("chat.changes.comment", { emailPending: 0, emailStale: 0, namePending: 0, nameStale: 0, csmPending: 1, csmStale: 0, rows: workbook.deploymentIds.length }));
    expect(workbook.header).toEqual([...UPLOAD_HEADER]);
    expect(workbook.deploymentIds.length).toBeGreaterThan(0);
    expect(new Set(workbook.deploymentIds)).toEqual(new Set([deploymentId]));
    const methods = fake.calls.slice(from).map((c) => c.method);
    expect(methods).toEqual(expect.arrayContaining(["conversations.open", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]));
    expect(methods.indexOf("files.getUploadURLExternal")).toBeLessThan(methods.indexOf("upload"));
    expect(methods.indexOf("upload")).toBeLessThan(methods.indexOf("files.completeUploadExternal"));
  });

  it("says in the channel, only to the asker and in their language, that the workbook is in the DM, naming no data", async () => {
    for (const [user, text, t] of [["U0JAMES", "changes", en], ["U0ANNA", "изменения", ru]] as const) {
      const before = fake.files.length;
      const key = await slashCommand(user, text);
      const file = await fake.waitFor(`${user}'s upload`, () => fake.files.slice(before).find((f) => f.channel));
      expect(file.channel).toBe(`D${user}`);
      const answer = await answerOf(key);
      expect(answer.body.response_type).toBe("ephemeral");
      expect(blockText(answer.body.blocks)).toContain(t("chat.changes.inYourDm"));
      expect(JSON.stringify(answer.body)).not.toContain(deploymentId);
      expect(fake.responses.filter((r) => r.key === key)).toHaveLength(1);
    }
  });

  it("after `@LCA changes` in a channel, tells only the asker, in the mention's thread, that the workbook is in the DM", async () => {
    for (const [user, text, t] of [["U0JAMES", "changes", en], ["U0ANNA", "изменения", ru]] as const) {
      const before = fake.files.length;
      const from = fake.calls.length;
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, "0")}`;
      const event = { type: "app_mention", user, text: `<@${FAKE_BOT_USER_ID}> ${text}`, ts, channel: "C0TEAM" };
      expect((await postSigned(eventsUrl, SECRET, eventBody(event, `EvC${seq}`), { contentType: "application/json" })).status).toBe(200);
      await slack.idle();
      expect(fake.files.slice(before).map((f) => f.channel)).toEqual([`D${user}`]);
      const calls = fake.calls.slice(from);
      const notes = calls.filter((c) => c.method === "chat.postEphemeral");
      expect(notes.map((c) => [c.args.channel, c.args.user, c.args.thread_ts])).toEqual([["C0TEAM", user, ts]]);
      expect(blockText(notes[0]!.args.blocks)).toContain(t("chat.changes.inYourDm"));
      expect(JSON.stringify(notes[0]!.args)).not.toContain(deploymentId);
      // Nothing for the channel to read: no post in it at all.
      expect(calls.filter((c) => c.method === "chat.postMessage" && c.args.channel === "C0TEAM")).toEqual([]);
    }
  });

  it("typed in the DM itself, uploads the file there and adds no note", async () => {
    const before = fake.files.length;
    const key = await slashCommand("U0JAMES", "changes", "DU0JAMES");
    await fake.waitFor("the upload in the DM", () => fake.files.slice(before).find((f) => f.channel === "DU0JAMES"));
    await slack.idle();
    // The upload was all: no answer at all to this command, so no note either.
    expect(fake.responses.filter((r) => r.key === key)).toEqual([]);
  });

  it("answers a Russian admin in Russian, with the same workbook", async () => {
    const before = fake.files.length;
    await slashCommand("U0ANNA", "изменения");
    const file = await fake.waitFor("Anna's upload", () => fake.files.slice(before).find((f) => f.channel));
    expect(file.channel).toBe("DU0ANNA");
    expect(file.initialComment).toContain(ru("chat.changes.comment", { emailPending: 0, emailStale: 0, namePending: 0, nameStale: 0, csmPending: 1, csmStale: 0, rows: 0 }).split(". ")[0]!);
    expect((await readUploadWorkbook(file.bytes!)).sheets).toContain("Use Cases");
  });

  it("refuses anyone but an admin in their language, and uploads nothing", async () => {
    const before = fake.files.length;
    const english = await answerOf(await slashCommand("U0SOPHIE", "changes"));
    expect(blockText(english.body.blocks)).toContain(en("chat.changes.notAdmin"));
    const russian = await answerOf(await slashCommand("U0DMITRY", "изменения"));
    expect(blockText(russian.body.blocks)).toContain(ru("chat.changes.notAdmin"));
    expect(fake.files.length).toBe(before);
  });
});
