import { loadConfig, type Config } from "../../../src/config.js";
import { startService, type Service } from "../../../src/main.js";
import { freePort } from "../../support/cli.js";
import { captureLog } from "../../support/log-capture.js";
import { startFakeSlack, type FakeSlack } from "../../support/fake-slack.js";
import { FakeWebex, type FakePerson, type FakeRoom } from "../../support/fake-webex.js";

/**
 * One running lca-bot, as an operator starts it (`startService(loadConfig(env))`), with every
 * chat on at once: Slack and Webex against fake APIs on 127.0.0.1, and the preview. A click in
 * one chat must redraw the alert's cards in the others, so each driver needs them all live.
 * Only the composition root and HTTP are touched, so the suite survives the adapters' reshaping.
 */

export const SLACK_SECRET = "contract-signing-secret-7d2e";
export const WEBEX_SECRET = "contract-webhook-secret-5a91c3";
// No underscores: a token shaped like a real one makes the SDK ask u2c.wbx2.com for its catalog.
const WEBEX_TOKEN = "fake-webex-bot-token-for-the-contract-suite";
const SLACK_TOKEN = "xoxb-contract-token";
/** Every secret the service is configured with: none may reach a log line. */
export const SECRETS = [SLACK_SECRET, WEBEX_SECRET, WEBEX_TOKEN, SLACK_TOKEN];
export const PARTNER = "Partner Example Ltd";
export const TEAM_CHANNEL = "C0TEAM";

/** The people of the suite: the demo's CSMs, and one outsider. */
export const PEOPLE = {
  james: { email: "james.lee@partner.example", name: "James Lee", slackId: "U0JAMES", slackLocale: "en-US" },
  sophie: { email: "sophie.mueller@partner.example", name: "Sophie Müller", slackId: "U0SOPHIE", slackLocale: "ru-RU" },
  oliver: { email: "oliver.brown@partner.example", name: "Oliver Brown", slackId: "U0OLIVER", slackLocale: "es-ES" },
  maria: { email: "maria.garcia@partner.example", name: "María García", slackId: "U0MARIA", slackLocale: "es-ES" },
  anna: { email: "anna.petrova@partner.example", name: "Анна Петрова", slackId: "U0ANNA", slackLocale: "ru-RU" },
  dmitry: { email: "dmitry.sokolov@partner.example", name: "Дмитрий Соколов", slackId: "U0DMITRY", slackLocale: "ru-RU" },
  stranger: { email: "eve@other.example", name: "Eve Outsider", slackId: "U0EVE", slackLocale: "en-US" },
} as const;
export type Person = keyof typeof PEOPLE;

/**
 * The Webex SDK reads its API address once per process, so every service of a test file talks
 * to this one fake; its people and rooms outlive each service.
 */
let sharedWebex: { fake: FakeWebex; people: Record<Person, FakePerson>; team: FakeRoom } | undefined;
async function webexFake() {
  if (sharedWebex) return sharedWebex;
  const fake = await new FakeWebex().start();
  const people = Object.fromEntries(Object.entries(PEOPLE).map(([key, p]) => [key, fake.addPerson(p.email, p.name)])) as Record<Person, FakePerson>;
  const team = fake.groupRoom("Customer Success", [people.james, people.sophie, people.dmitry]);
  sharedWebex = { fake, people, team };
  return sharedWebex;
}

export interface Harness {
  service: Service;
  config: Config;
  base: string;
  slack: FakeSlack;
  webex: FakeWebex;
  webexPeople: Record<Person, FakePerson>;
  webexTeam: FakeRoom;
  /** Index into `webex.posted` when this service started: earlier posts belong to another service. */
  webexSince: number;
  log: string[];
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const { fake: webex, people: webexPeople, team: webexTeam } = await webexFake();
  // The previous service of this file is stopped; its webhooks (kept on stop, as in Webex) would catch our events.
  webex.webhooks.clear();
  const webexSince = webex.posted.length;
  const slack = await startFakeSlack();
  for (const p of Object.values(PEOPLE)) slack.users.set(p.slackId, { id: p.slackId, email: p.email, name: p.name, locale: p.slackLocale });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: "memory://",
    LOG_LEVEL: "debug",
    // Not English: a person who falls through to the partner's language is told apart from the others.
    DEFAULT_LOCALE: "ru",
    SLACK_BOT_TOKEN: SLACK_TOKEN,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: slack.apiUrl,
    WEBEX_BOT_TOKEN: WEBEX_TOKEN,
    WEBEX_WEBHOOK_URL: `${base}/webex/webhook`,
    WEBEX_WEBHOOK_SECRET: WEBEX_SECRET,
    WEBEX_API_URL: webex.apiUrl,
    TEAM_SPACES: `slack:${TEAM_CHANNEL}=Customer Success, webex:${webexTeam.id}=Customer Success`,
  });
  const captured = captureLog("debug");
  const service = await startService(config, captured.log);
  return {
    service,
    config,
    base,
    slack,
    webex,
    webexPeople,
    webexTeam,
    webexSince,
    log: captured.lines,
    async stop() {
      await service.stop();
      await slack.close();
    },
  };
}

/** Polls until `find` returns a value; the error says what never came (no fixed sleeps anywhere). */
export async function eventually<T>(what: string, find: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== null && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
