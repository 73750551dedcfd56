import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import { freePort, runCli, startBot } from "../support/cli.js";
import { createTestDatabase } from "../support/db.js";
import { startFakeSlack } from "../support/fake-slack.js";
import { row } from "../support/rows.js";

const dir = mkdtempSync(path.join(tmpdir(), "lca-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The whole service as an operator runs it: snapshots ingested by the CLI into PostgreSQL,
 * the running bot's dispatcher delivering the alerts they raise to Slack (a fake Web API).
 */
describe("the service end to end", () => {
  it("turns a new use case in tomorrow's snapshot into a card in the CSM's Slack DM", async () => {
    const db = await createTestDatabase("postgres", { migrate: false });
    const slack = await startFakeSlack();
    slack.users.set("U0JAMES", { id: "U0JAMES", email: "james.lee@partner.example", name: "James Lee" });
    const env = {
      DATABASE_URL: db.url!,
      PARTNER_NAME: "Partner Example Ltd",
      PARTNER_DOMAINS: "partner.example",
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: "test-signing-secret",
      SLACK_API_URL: slack.apiUrl,
      NO_PROXY: "127.0.0.1,localhost",
    };
    const bot = await startBot(env, await freePort());
    try {
      const base = row({ csmEmail: "james.lee@partner.example" });
      const day1 = path.join(dir, "day1.csv");
      const day2 = path.join(dir, "day2.xlsx");
      await writeSnapshot([base], day1);
      await writeSnapshot([base, { ...base, useCase: "Campus Network Visibility", addedOn: "2026-11-20" }], day2);

      const first = await runCli(["ingest", day1, "--as-of", "2026-11-19", "--json"], env);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ baseline: true, outboxRows: 0 });
      const second = await runCli(["ingest", day2, "--as-of", "2026-11-20", "--json"], env);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ baseline: false, alerts: { opened: { new_use_case: 1 } }, outboxRows: 1 });

      const post = await slack.waitFor("the alert in James's DM", () => slack.callsOf("chat.postMessage").find((c) => c.args.channel === "DU0JAMES"), 20_000);
      expect(JSON.stringify(post.args.blocks)).toContain("Campus Network Visibility");
      const sent = await db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: "alert" } });
      expect(sent).toMatchObject({ status: "sent", channel: "slack", conversationId: "DU0JAMES" });

      const listed = await runCli(["outbox"], env);
      expect(listed.code, listed.stderr).toBe(0);
    } finally {
      expect(await bot.stop()).toBe(0);
      await slack.close();
      await db.close();
    }
  });
});
