import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import { freePort, runCli, startBot } from "../support/cli.js";
import { createTestDatabase } from "../support/db.js";
import { commandBody, postSigned, slackSignature, startFakeSlack } from "../support/fake-slack.js";
import { FakeWebex, sparkSignature } from "../support/fake-webex.js";
import { expectNoSecrets, leakedSecrets } from "../support/log-capture.js";
import { row } from "../support/rows.js";

const dir = mkdtempSync(path.join(tmpdir(), "lca-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The built service, as an operator runs it, with every kind of secret configured and a
 * log level of trace: everything it prints on stdout and stderr while it starts, serves
 * Slack, Webex and the preview (good requests and hostile ones), fails to read a signed
 * feed and fails to reach a database must hold none of the secrets.
 */
describe("secrets in the service's output", () => {
  it("no line of a trace-level run, nor of a failing CLI command, contains a configured secret", async () => {
    const db = await createTestDatabase("postgres", { migrate: false });
    const slack = await startFakeSlack();
    const webex = new FakeWebex();
    await webex.start();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const secrets = {
      dbPassword: "p@ss-db-secret-1",
      dbQueryPassword: "q-db-secret-2",
      slackToken: "xoxb-child-secret-token",
      slackSigning: "child-signing-secret-9",
      webexToken: "fake-webex-child-token-secret-value",
      webexSecret: "child-webex-webhook-secret",
      previewShared: "shared-preview-secret-1",
      previewJames: "james-bound-secret-123",
      previewSophie: "sophie-bound-secret-123",
      feedPassword: "feed-pass-secret",
      feedSignature: "amz-sig-secret-123",
      feedToken: "feed-token-secret",
    };
    // A password with an unencoded "@" in the userinfo, and another in the query (trust auth ignores both).
    const url = new URL(db.url!);
    const databaseUrl = `postgresql://postgres:${secrets.dbPassword}@${url.host}${url.pathname}?sslmode=disable&password=${secrets.dbQueryPassword}`;
    const env = {
      DATABASE_URL: databaseUrl,
      PARTNER_NAME: "Partner Example Ltd",
      PARTNER_DOMAINS: "partner.example",
      ADMINS: "sophie.mueller@partner.example",
      LOG_LEVEL: "trace",
      SLACK_BOT_TOKEN: secrets.slackToken,
      SLACK_SIGNING_SECRET: secrets.slackSigning,
      SLACK_API_URL: slack.apiUrl,
      WEBEX_BOT_TOKEN: secrets.webexToken,
      WEBEX_WEBHOOK_SECRET: secrets.webexSecret,
      WEBEX_WEBHOOK_URL: `${base}/webex/webhook`,
      WEBEX_API_URL: webex.apiUrl,
      PREVIEW: "1",
      PREVIEW_TOKEN: secrets.previewShared,
      PREVIEW_TOKENS: `james.lee@partner.example:${secrets.previewJames},sophie.mueller@partner.example:${secrets.previewSophie}`,
      LCA_FEED: `https://feeduser:${secrets.feedPassword}@127.0.0.1:9/lca.xlsx?X-Amz-Signature=${secrets.feedSignature}&token=${secrets.feedToken}`,
      NO_PROXY: "127.0.0.1,localhost",
    };
    const outputs: string[] = [];
    try {
      // James becomes a CSM through a snapshot, as in production.
      const snapshot = path.join(dir, "day1.csv");
      await writeSnapshot([row({ csmEmail: "james.lee@partner.example" })], snapshot);
      const ingest = await runCli(["ingest", snapshot, "--as-of", "2026-11-19", "--json"], env);
      outputs.push(ingest.stdout, ingest.stderr);
      expect(ingest.code, ingest.stderr).toBe(0);
      slack.users.set("U0JAMES", { id: "U0JAMES", email: "james.lee@partner.example", name: "James Lee" });
      const james = webex.addPerson("james.lee@partner.example", "James Lee");
      const bot = await startBot(env, port);
      try {
        const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
        const statuses: Record<string, number> = {};
        const hit = async (name: string, target: string, init?: RequestInit) => {
          statuses[name] = (await fetch(`${base}${target}`, init)).status;
        };
        await hit("own inbox", `/preview?token=${secrets.previewJames}`);
        await hit("other CSM", `/preview?csm=sophie.mueller%40partner.example&token=${secrets.previewJames}`);
        await hit("other CSM by body", "/preview/api/message", { method: "POST", headers: { ...bearer(secrets.previewJames), "content-type": "application/json" }, body: JSON.stringify({ csm: "sophie.mueller@partner.example", text: "help" }) });
        await hit("wrong token", `/preview?token=${secrets.previewJames}-not`);
        await hit("admin not a CSM", "/preview", { headers: { authorization: `Basic ${Buffer.from(`x:${secrets.previewSophie}`).toString("base64")}` } });
        await hit("shared token", "/preview/api/message", { method: "POST", headers: { ...bearer(secrets.previewShared), "content-type": "application/json" }, body: JSON.stringify({ csm: "james.lee@partner.example", text: "stalled" }) });
        await hit("malformed JSON", "/preview/api/message", { method: "POST", headers: { ...bearer(secrets.previewShared), "content-type": "application/json" }, body: "{oops" });
        const command = commandBody({ command: "/lca", text: "help", userId: "U0JAMES", channelId: "DU0JAMES", responseUrl: slack.responseUrl("secrets") });
        statuses["slack command"] = (await postSigned(`${base}/slack/events`, secrets.slackSigning, command)).status;
        statuses["slack forged"] = (await postSigned(`${base}/slack/events`, "not-the-secret", command)).status;
        statuses["slack future"] = (await postSigned(`${base}/slack/events`, secrets.slackSigning, command, { timestamp: Math.floor(Date.now() / 1000) + 600 })).status;
        const future = Math.floor(Date.now() / 1000);
        await hit("slack malformed", "/slack/events", { method: "POST", headers: { "content-type": "application/json", "x-slack-request-timestamp": String(future), "x-slack-signature": slackSignature(secrets.slackSigning, future, "{x") }, body: "{x" });
        statuses["webex message"] = ((await webex.deliver(webex.say(james, webex.directRoom(james), "help", { mention: false }))) as globalThis.Response).status;
        statuses["webex forged"] = ((await webex.deliver(webex.say(james, webex.directRoom(james), "help", { mention: false }), { signature: sparkSignature("wrong", "x") })) as globalThis.Response).status;
        await hit("metrics", "/metrics");
        await hit("unknown", "/nothing/here", { method: "DELETE" });
        expect(statuses).toEqual({
          "own inbox": 200,
          "other CSM": 403,
          "other CSM by body": 403,
          "wrong token": 401,
          "admin not a CSM": 403,
          "shared token": 200,
          "malformed JSON": 400,
          "slack command": 200,
          "slack forged": 401,
          "slack future": 401,
          "slack malformed": 400,
          "webex message": 200,
          "webex forged": 401,
          metrics: 200,
          unknown: 404,
        });
        await slack.waitFor("the Slack answer", () => slack.responses.find((r) => r.key === "secrets"));
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // the Webex answer and the last log lines
      } finally {
        expect(await bot.stop()).toBe(0);
        outputs.push(bot.output());
      }

      // Commands that fail, and print why (side by side: each loads the whole CLI).
      const [refresh, unreachable, badConfig] = await Promise.all([
        runCli(["refresh"], env),
        runCli(["migrate"], { ...env, DATABASE_URL: `postgresql://postgres:${secrets.dbPassword}@127.0.0.1:9/x?password=${secrets.dbQueryPassword}` }),
        runCli(["start"], {
          ...env,
          PORT: "not-a-port",
          PREVIEW_TOKENS: `james.lee@partner.example:${secrets.previewJames},eve@elsewhere.example:${secrets.previewSophie},oops-${secrets.previewShared}`,
          DATABASE_URL: `mysql://u:${secrets.dbPassword}@x/y`,
          LCA_FEED: `ftp://feeduser:${secrets.feedPassword}@x/y?token=${secrets.feedToken}`,
        }),
      ]);
      expect(refresh.code).toBe(2); // a feed that cannot be read is bad input
      expect(refresh.stderr).toContain("https://feeduser:***@127.0.0.1:9/lca.xlsx?X-Amz-Signature=***&token=***");
      expect(unreachable.code).toBe(1);
      expect(badConfig.code).toBe(2);
      expect(badConfig.stderr).toContain("PREVIEW_TOKENS: entry 3 is not email:token");
      outputs.push(refresh.stdout, refresh.stderr, unreachable.stdout, unreachable.stderr, badConfig.stdout, badConfig.stderr);
    } finally {
      await webex.stop();
      await slack.close();
      await db.close();
    }

    const all = outputs.join("\n");
    // The run logged a great deal, from every part, at trace, including the refusals…
    expect(all).toContain("preview: a token tried to act as someone else; refused and audited");
    expect(all).toContain("slack: request refused, timestamp in the future");
    expect(all).toContain("webex: webhook refused");
    expect(all).toContain("postgresql://postgres:***@");
    // …and no line holds a secret, in any form.
    expectNoSecrets(all, Object.values(secrets), 50);
    // The scan itself finds a secret when there is one.
    expect(leakedSecrets(`x ${encodeURIComponent(secrets.dbPassword)} y`, [secrets.dbPassword])).toHaveLength(1);
  });
});
