import type { AddressInfo } from "node:net";
import type { ConversationDeps } from "../../src/actions/context.js";
import { createSlackChannel, SLACK_EVENTS_PATH, type SlackChannel } from "../../src/channels/slack/index.js";
import { loadConfig, type Config } from "../../src/config.js";
import type { DispatcherTuning } from "../../src/delivery/dispatcher.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import type { Logger } from "../../src/log.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { createTestDatabase, type TestDatabase } from "./db.js";
import { startFakeSlack, type FakeSlack, type FakeUser } from "./fake-slack.js";
import { redrawThroughOutbox, type Redraws } from "./redraws.js";

/** The real Slack channel on the demo data, served over HTTP and talking to a fake Slack: what the Slack e2e files share. */
export interface SlackHarness {
  fake: FakeSlack;
  db: TestDatabase;
  config: Config;
  deps: ConversationDeps;
  http: HttpServer;
  slack: SlackChannel;
  /** POST /slack/events on the served channel. */
  eventsUrl: string;
  /** Present when asked for: card and Home redraws through a running dispatcher. */
  redraws: Redraws | undefined;
  stop(): Promise<void>;
}

export async function startSlackHarness(options: {
  secret: string;
  botToken: string;
  log: Logger;
  users: FakeUser[];
  /** More settings, next to the token, the signing secret and the fake's URL. */
  env?: Record<string, string>;
  /** Run a dispatcher for redraws, with this tuning. */
  redraws?: Partial<DispatcherTuning>;
}): Promise<SlackHarness> {
  const fake = await startFakeSlack();
  const db = await createTestDatabase("embedded");
  const config = loadConfig({ SLACK_BOT_TOKEN: options.botToken, SLACK_SIGNING_SECRET: options.secret, SLACK_API_URL: fake.apiUrl, TIME_ZONE: "Europe/Berlin", ...options.env });
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  const deps: ConversationDeps = { db, config, log: options.log, now: () => new Date() };
  for (const user of options.users) fake.users.set(user.id, user);
  const slack = createSlackChannel({ config, deps, log: options.log })!;
  const http = await startHttpServer({ port: 0, host: "127.0.0.1", log: options.log, readiness: { checks: async () => ({}) }, started: () => true });
  http.mount("/", slack.http!.router);
  const eventsUrl = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  const redraws = options.redraws ? await redrawThroughOutbox(deps, [slack.port], options.log, options.redraws) : undefined;
  await slack.start();
  return {
    fake,
    db,
    config,
    deps,
    http,
    slack,
    eventsUrl,
    redraws,
    async stop() {
      await redraws?.stop();
      await slack.stop(Date.now() + 5_000);
      await http.close();
      await fake.close();
      await db.close();
    },
  };
}
