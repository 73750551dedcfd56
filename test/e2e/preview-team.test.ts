import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { createPreviewChannel, PREVIEW_PATH } from "../../src/channels/preview/index.js";
import type { PreviewAnswer } from "../../src/channels/preview/present.js";
import { loadConfig } from "../../src/config.js";
import { isoWeekOf, todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { translator } from "../../src/i18n.js";
import { createLogger } from "../../src/log.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { launchBrowser } from "../support/browser.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

/** The preview shows the team report to admins and team leads: a section with the card and the chart, GET /preview/api/team.png behind the preview's tokens. */
const sophie = "sophie.mueller@partner.example";
const anna = "anna.petrova@partner.example";
const james = "james.lee@partner.example";
const sophieToken = "sophie-admin-token-team-0123456";
const annaToken = "anna-lead-token-team-0123456789";
const jamesToken = "james-csm-token-team-0123456789";
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
let db: TestDatabase;
let http: HttpServer;
let at: string;

const chart = (token: string, csm: string) => fetch(`${at}/api/team.png?csm=${encodeURIComponent(csm)}`, { headers: { authorization: `Bearer ${token}` } });
const page = (token: string, csm: string) => fetch(`${at}/?csm=${encodeURIComponent(csm)}`, { headers: { authorization: `Bearer ${token}`, accept: "text/html" } });

beforeAll(async () => {
  db = await createTestDatabase("embedded");
  const config = loadConfig({ LOG_LEVEL: "silent", ADMINS: sophie, TEAM_LEADS: anna, PREVIEW_TOKENS: `${anna}:${annaToken},${sophie}:${sophieToken},${james}:${jamesToken}` });
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  const log = createLogger("silent");
  const deps: ConversationDeps = { db, config, log, now: () => new Date() };
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
  http.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).http.router);
  at = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}/preview`;
});

afterAll(async () => {
  await http?.close();
  await db?.close();
});

describe("preview: the team report", () => {
  it("serves an admin's and a team lead's chart as a PNG, not cached", async () => {
    for (const [token, csm] of [[sophieToken, sophie], [annaToken, anna]] as const) {
      const response = await chart(token, csm);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect(response.headers.get("cache-control")).toContain("no-store");
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.subarray(0, 8).equals(PNG)).toBe(true);
    }
  });

  it("refuses a plain CSM's token, a token naming another CSM, and no token", async () => {
    const refused = await chart(jamesToken, james);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain(translator("en")("chat.team.notAllowed"));
    expect((await chart(jamesToken, sophie)).status).toBe(403);
    expect((await fetch(`${at}/api/team.png?csm=${encodeURIComponent(sophie)}`)).status).toBe(401);
  });

  it("shows the report section with the chart to an admin, and only the note to a plain CSM; images come from the bot's own origin", async () => {
    const admin = await page(sophieToken, sophie);
    expect(admin.headers.get("content-security-policy")).toContain("img-src 'self'");
    const html = await admin.text();
    const section = html.slice(html.indexOf('id="section-team"'), html.indexOf('id="section-arrived"'));
    expect(section).toContain('<figure class="chart"><img src="/preview/api/team.png?csm=sophie.mueller%40partner.example"');
    expect(html).toContain(translator("en")("cards.team.title", { week: isoWeekOf(todayIn("UTC")).label }));
    const csm = await (await page(jamesToken, james)).text();
    const plain = csm.slice(csm.indexOf('id="section-team"'), csm.indexOf('id="section-arrived"'));
    expect(plain).not.toContain("team.png");
    expect(plain).toContain(translator("en")("preview.empty.team"));
  });

  it("answers `team` in the conversation with the card and the chart to show", async () => {
    const response = await fetch(`${at}/api/message`, { method: "POST", headers: { authorization: `Bearer ${sophieToken}`, "content-type": "application/json" }, body: JSON.stringify({ csm: sophie, text: "team" }) });
    const answer = (await response.json()) as PreviewAnswer;
    expect(answer.replies.map((r) => r.name)).toEqual(["team"]);
    expect(answer.files).toEqual([{ name: `team-report-${isoWeekOf(todayIn("UTC")).label}.png`, text: expect.any(String) as never, image: true }]);
  });

  it("shows the chart in a real browser under the preview's CSP, in the section and in the conversation", async () => {
    const browser = await launchBrowser(new URL(at).origin);
    const tab = await browser.newPage();
    const violations: string[] = [];
    tab.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await tab.goto(`${at}?token=${sophieToken}`);
    type Img = { complete: boolean; naturalWidth: number };
    const width = (selector: string) => tab.locator(selector).first().evaluate((img) => ((img as unknown as Img).complete ? (img as unknown as Img).naturalWidth : 0));
    await tab.locator("#section-team figure.chart img").waitFor();
    await expect.poll(() => width("#section-team figure.chart img"), { timeout: 20_000 }).toBe(960);
    await tab.locator("#chat-input").fill("team");
    await tab.locator("#chat-input").press("Enter");
    await tab.locator("#transcript img.chart").waitFor();
    await expect.poll(() => width("#transcript img.chart"), { timeout: 20_000 }).toBe(960);
    await tab.locator("#section-team").screenshot({ path: "test/artifacts/preview-team.png" });
    await tab.close();
    await browser.close();
    expect(violations).toEqual([]);
    expect(browser.blocked).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
