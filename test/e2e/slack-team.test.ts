import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackChannel } from "../../src/channels/slack/index.js";
import type { Config } from "../../src/config.js";
import { isoWeekOf, todayIn } from "../../src/domain/dates.js";
import { createDispatcher } from "../../src/delivery/dispatcher.js";
import { translator } from "../../src/i18n.js";
import { enqueueTeamReports } from "../../src/jobs/team-report-job.js";
import { createLogger } from "../../src/log.js";
import type { TestDatabase } from "../support/db.js";
import { FAST_TUNING } from "../support/delivery.js";
import { commandBody, postSigned, type FakeSlack } from "../support/fake-slack.js";
import { blockText } from "../support/slack-blocks.js";
import { startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

/** `/lca team` and the weekly team report through the real Bolt receiver and the outbox against the fake Slack: the chart arrives as a PNG by files.uploadV2. */
const SECRET = "e2e-team-signing-secret";
const TEAM_CHANNEL = "C0TEAM";
const ENV = { ADMINS: "james.lee@partner.example", TEAM_LEADS: "anna.petrova@partner.example", TEAM_SPACES: `slack:${TEAM_CHANNEL}=Team` };
const en = translator("en");
const ru = translator("ru");
const isPng = (bytes: Buffer | undefined) => bytes !== undefined && bytes.length > 0 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

let fake: FakeSlack;
let db: TestDatabase;
let h: SlackHarness;
let slack: SlackChannel;
let config: Config;
let eventsUrl: string;
let seq = 0;

async function slashCommand(userId: string, text: string) {
  const key = `cmd-${++seq}`;
  const post = await postSigned(eventsUrl, SECRET, commandBody({ command: "/lca", text, userId, channelId: TEAM_CHANNEL, responseUrl: fake.responseUrl(key) }));
  expect(post.status).toBe(200);
  return key;
}
const answerOf = (key: string) => fake.waitFor(`the answer to ${key}`, () => fake.responses.find((r) => r.key === key));

beforeAll(async () => {
  h = await startSlackHarness({
    secret: SECRET,
    botToken: "xoxb-team",
    log: createLogger("silent"),
    users: [
      { id: "U0ANNA", email: "anna.petrova@partner.example", locale: "ru-RU" },
      { id: "U0JAMES", email: "james.lee@partner.example", locale: "en-US" },
      { id: "U0SOPHIE", email: "sophie.mueller@partner.example", locale: "en-GB" },
    ],
    env: ENV,
  });
  ({ fake, db, slack, eventsUrl, config } = h);
});

afterAll(async () => {
  await h?.stop();
});

describe("Slack: the team report", () => {
  it("answers an admin's /lca team with the card and uploads the chart as a PNG into the channel asked in", async () => {
    const before = fake.files.length;
    const answer = await answerOf(await slashCommand("U0JAMES", "team"));
    const week = isoWeekOf(todayIn("Europe/Berlin")).label;
    expect(blockText(answer.body.blocks)).toContain(en("cards.team.title", { week }));
    // Every demo CSM is named on the card.
    expect(blockText(answer.body.blocks)).toContain("Sophie");
    const file = await fake.waitFor("the chart's upload", () => fake.files.slice(before).find((f) => f.channel));
    expect(file.channel).toBe(TEAM_CHANNEL);
    expect(file.filename).toBe(`team-report-${week}.png`);
    expect(isPng(file.bytes)).toBe(true);
    expect(file.bytes!.length).toBe(file.length);
    expect(file.initialComment).toBe(en("chat.team.comment", { week }));
  });

  it("answers a team lead in Russian", async () => {
    const before = fake.files.length;
    const answer = await answerOf(await slashCommand("U0ANNA", "команда"));
    expect(blockText(answer.body.blocks)).toContain(ru("cards.team.title", { week: isoWeekOf(todayIn("Europe/Berlin")).label }));
    const file = await fake.waitFor("Anna's chart", () => fake.files.slice(before).find((f) => f.channel));
    expect(isPng(file.bytes)).toBe(true);
    expect(file.initialComment).toContain("Отчёт по команде");
  });

  it("refuses a plain CSM and uploads nothing", async () => {
    const before = fake.files.length;
    const answer = await answerOf(await slashCommand("U0SOPHIE", "team"));
    expect(blockText(answer.body.blocks)).toContain(en("chat.team.notAllowed"));
    expect(fake.files.length).toBe(before);
  });

  it("uploads the chart into the DM when the bot is not in the channel asked in", async () => {
    fake.fail("files.completeUploadExternal", { error: "not_in_channel" }, 1);
    const before = fake.files.length;
    const key = await slashCommand("U0JAMES", "team");
    await answerOf(key);
    const file = await fake.waitFor("the chart in the DM", () => fake.files.slice(before).find((f) => f.channel));
    expect(file.channel).toBe("DU0JAMES");
    expect(isPng(file.bytes)).toBe(true);
    // The asker hears where the chart went, in words about the chart, not the workbook.
    const note = await fake.waitFor("the note", () => fake.responses.find((r) => r.key === key && blockText(r.body.blocks).includes(en("chat.team.inYourDm"))));
    expect(blockText(note.body.blocks)).not.toContain(en("chat.changes.inYourDm"));
  });

  it("delivers the weekly report through the outbox to the team channel: the card, then the chart PNG, once per week", async () => {
    const before = fake.files.length;
    const posted = fake.calls.filter((c) => c.method === "chat.postMessage").length;
    const now = new Date();
    expect(await enqueueTeamReports(db.pool, { spaces: config.teamSpaces, timeZone: config.partner.timeZone, now })).toBe(1);
    expect(await enqueueTeamReports(db.pool, { spaces: config.teamSpaces, timeZone: config.partner.timeZone, now })).toBe(0);
    // Only the report goes out here: the demo's own rows are another test's.
    await db.pool.query(`UPDATE outbox_message SET status = 'superseded' WHERE kind <> 'team_report' AND status IN ('pending', 'failed')`);
    const dispatcher = createDispatcher({ pool: db.pool, prisma: db.prisma, config, ports: [slack.port!], log: createLogger("silent"), tuning: FAST_TUNING });
    await dispatcher.drainOnce();
    const { rows } = await db.pool.query<{ status: string }>(`SELECT status::text AS status FROM outbox_message WHERE kind = 'team_report'`);
    expect(rows).toEqual([{ status: "sent" }]);
    const card = fake.calls.filter((c) => c.method === "chat.postMessage").slice(posted);
    expect(card).toHaveLength(1);
    expect(card[0]!.args.channel).toBe(TEAM_CHANNEL);
    const file = fake.files.slice(before).find((f) => f.channel === TEAM_CHANNEL);
    expect(file).toBeDefined();
    expect(isPng(file!.bytes)).toBe(true);
    expect(file!.length).toBeGreaterThan(0);
  });
});
