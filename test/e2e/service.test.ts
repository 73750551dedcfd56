import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import { freePort, runCli, startBot } from "../support/cli.js";
import { createTestDatabase } from "../support/db.js";
import { startFakeSlack } from "../support/fake-slack.js";
import { FakeWebex } from "../support/fake-webex.js";
import { row } from "../support/rows.js";

const dir = mkdtempSync(path.join(tmpdir(), "lca-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The whole service as an operator runs it: snapshots ingested by the CLI into PostgreSQL,
 * the running bot's dispatcher delivering the alerts they raise to Slack (a fake Web API).
 */
describe("the service end to end", () => {
  it("delivers what an ingest run from a plain shell raised, to the partner's people only", async () => {
    const db = await createTestDatabase("postgres", { migrate: false });
    const slack = await startFakeSlack();
    slack.users.set("U0JAMES", { id: "U0JAMES", email: "james.lee@partner.example", name: "James Lee" });
    // The outsider has a Slack account the bot could find: only the bot's own rules keep them out.
    slack.users.set("U0OUTSIDER", { id: "U0OUTSIDER", email: "someone@other.example", name: "Someone Else" });
    const webex = new FakeWebex();
    await webex.start();
    webex.addPerson("james.lee@partner.example", "James Lee");
    webex.addPerson("someone@other.example", "Someone Else");
    const port = await freePort();
    const partner = { DATABASE_URL: db.url!, PARTNER_NAME: "Partner Example Ltd", PARTNER_DOMAINS: "partner.example", ADMINS: "james.lee@partner.example", NO_PROXY: "127.0.0.1,localhost" };
    const service = {
      ...partner,
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: "test-signing-secret",
      SLACK_API_URL: slack.apiUrl,
      TEAM_SPACES: "slack:C0TEAM=Customer Success",
      WEBEX_BOT_TOKEN: "fake-webex-bot-token-for-the-service-test",
      WEBEX_WEBHOOK_URL: `http://127.0.0.1:${port}/webex/webhook`,
      WEBEX_WEBHOOK_SECRET: "service-test-webhook-secret",
      WEBEX_API_URL: webex.apiUrl,
    };
    const bot = await startBot(service, port);
    try {
      const base = row({ csmEmail: "james.lee@partner.example" });
      const foreign = row({ rowNumber: 3, crPartyId: "300199999", crPartyName: "Contoso", deploymentId: "DPL999FOREIGN", csmEmail: "someone@other.example" });
      const day1 = path.join(dir, "day1.csv");
      const day2 = path.join(dir, "day2.xlsx");
      await writeSnapshot([base, foreign], day1);
      await writeSnapshot([base, { ...base, useCase: "Campus Network Visibility", addedOn: "2026-11-20" }, foreign, { ...foreign, useCase: "Campus Network Visibility", addedOn: "2026-11-20" }], day2);

      // The operator's shell knows the database and the partner, not the chats.
      const first = await runCli(["ingest", day1, "--as-of", "2026-11-19", "--json"], partner);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ baseline: true, outsiders: { count: 1, rows: [{ row: 3, deploymentId: "DPL999FOREIGN", email: "someone@other.example" }] } });
      const second = await runCli(["ingest", day2, "--as-of", "2026-11-20", "--json"], partner);
      expect(second.code, second.stderr).toBe(0);
      const summary = JSON.parse(second.stdout);
      expect(summary).toMatchObject({ baseline: false, alerts: { opened: { new_use_case: 2 } }, outsiders: { count: 2 } });
      expect(summary.outsiders.rows.map((r: { row: number }) => r.row)).toEqual([4, 5]);

      const post = await slack.waitFor("the alert in James's DM", () => slack.callsOf("chat.postMessage").find((c) => c.args.channel === "DU0JAMES" && JSON.stringify(c.args.blocks).includes("Northwind")), 20_000);
      expect(JSON.stringify(post.args.blocks)).toContain("Campus Network Visibility");
      // The outsider's deployment counts as unassigned: its alert goes to the team channel.
      const team = await slack.waitFor("the outsider's alert in the team channel", () => slack.callsOf("chat.postMessage").find((c) => c.args.channel === "C0TEAM"), 20_000);
      expect(JSON.stringify(team.args.blocks)).toContain("Contoso");
      // The admin hears which rows named someone outside the partner.
      const notice = await slack.waitFor("the admin's notice", () => slack.callsOf("chat.postMessage").find((c) => c.args.channel === "DU0JAMES" && JSON.stringify(c.args.blocks).includes("DPL999FOREIGN")), 20_000);
      expect(JSON.stringify(notice.args.blocks)).toContain("someone@other.example");

      // The same alert in James's Webex space: the running bot's chats, not the shell's.
      const posts = () => webex.calls.filter((c) => c.method === "POST" && c.path === "/messages").map((c) => c.body as { toPersonEmail?: string; markdown?: string });
      await slack.waitFor("the alert in James's Webex space", () => posts().find((b) => b.toPersonEmail === "james.lee@partner.example" && (b.markdown ?? "").includes("Campus Network Visibility")), 20_000);
      // Webex is never asked to reach the outsider, nor about them (the admin's notice names them to James only).
      expect(posts().filter((b) => b.toPersonEmail !== "james.lee@partner.example").map((b) => b.toPersonEmail)).toEqual([]);
      expect(webex.calls.filter((c) => c.path.startsWith("/people") && JSON.stringify(c).includes("other.example"))).toEqual([]);

      const sent = await db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: "alert", destination: { startsWith: "csm:" }, channel: "slack" } });
      expect(sent).toMatchObject({ status: "sent", conversationId: "DU0JAMES" });
      // Nothing ever went to the outsider, nor was their account looked up.
      expect(slack.calls.filter((c) => JSON.stringify(c.args).includes("other.example") && c.method !== "chat.postMessage")).toEqual([]);
      expect(slack.callsOf("chat.postMessage").filter((c) => c.args.channel === "DU0OUTSIDER")).toEqual([]);
      expect(await db.prisma.csm.count({ where: { email: "someone@other.example" } })).toBe(0);

      const listed = await runCli(["outbox"], partner);
      expect(listed.code, listed.stderr).toBe(0);
    } finally {
      expect(await bot.stop()).toBe(0);
      await slack.close();
      await webex.stop();
      await db.close();
    }
  });
});
