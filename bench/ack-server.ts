/**
 * One side of bench:ack (bench/ack.ts), in its own process so the two servers share no event
 * loop: `bot` is our HTTP server with the real Slack channel (Bolt's ExpressReceiver behind our
 * request guard, the whole click pipeline after the ack) on the demo data; `bare` is a Bolt
 * app whose only listener acknowledges. Both talk to the fake Slack API at SLACK_API_URL.
 *
 * Prints one JSON line: {"url": …} (bot: and {"message": "<channel>/<ts>"}, an alert card sent
 * to U0ANNA to click).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { App, ExpressReceiver } from "@slack/bolt";
import type { ConversationDeps } from "../src/actions/context.js";
import { createSlackChannel, SLACK_EVENTS_PATH } from "../src/channels/slack/index.js";
import { loadConfig } from "../src/config.js";
import { todayIn } from "../src/domain/dates.js";
import { loadDemo } from "../src/demo/load.js";
import { createLogger } from "../src/log.js";
import { startHttpServer } from "../src/server/http.js";
import { createTestDatabase, type DbKind } from "../test/support/db.js";
import { deliverAlertCard } from "../test/support/deliver.js";

const env = process.env;
const mode = process.argv[2];
const secret = env.SLACK_SIGNING_SECRET!;
const botToken = env.SLACK_BOT_TOKEN!;
const apiUrl = env.SLACK_API_URL!;
const log = createLogger(env.LOG_LEVEL ?? "silent", process.stderr);

if (mode === "bare") {
  const receiver = new ExpressReceiver({ signingSecret: secret, endpoints: SLACK_EVENTS_PATH, processBeforeResponse: false });
  const app = new App({ receiver, token: botToken, botId: "BBOT", botUserId: "UBOT", clientOptions: { slackApiUrl: apiUrl } });
  app.action({ type: "block_actions" }, async ({ ack }) => {
    await ack();
  });
  const server = createServer(receiver.app);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}` })}\n`);
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
} else {
  const db = await createTestDatabase((env.ACK_DB ?? "postgres") as DbKind);
  const config = loadConfig({ SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: secret, SLACK_API_URL: apiUrl, TIME_ZONE: "Europe/Berlin" });
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  const deps: ConversationDeps = { db, config, log, now: () => new Date() };
  const slack = createSlackChannel({ config, deps, log })!;
  const http = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({}) }, started: () => true });
  http.server.keepAliveTimeout = 60_000;
  http.mount("/", slack.http!.router);
  await slack.start();
  const anna = await db.prisma.csm.findUniqueOrThrow({ where: { email: "anna.petrova@partner.example" } });
  const alert = await db.prisma.alert.findFirstOrThrow({ where: { status: "open", kind: "stalled", useCaseDeployment: { deployment: { assignedCsmId: anna.id } } }, orderBy: { id: "asc" } });
  const sent = await deliverAlertCard(deps, slack.port, { kind: "csm", csmId: anna.id, email: anna.email, chatUserId: "U0ANNA" }, alert.id, { locale: "en", timeZone: config.partner.timeZone, now: new Date() });
  const url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  process.stdout.write(`${JSON.stringify({ url, message: `${sent.conversationId}/${sent.externalId}` })}\n`);
  process.once("SIGTERM", () => {
    void (async () => {
      await slack.stop(Date.now() + 5_000);
      await http.close();
      await db.close();
      process.exit(0);
    })();
  });
}
