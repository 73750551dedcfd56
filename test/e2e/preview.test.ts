import { request } from "node:http";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { CARD_NAMES } from "../../src/cards/view-models.js";
import { createPreviewChannel, PREVIEW_PATH } from "../../src/channels/preview/index.js";
import { loadConfig, type Locale } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { translator } from "../../src/i18n.js";
import { createLogger } from "../../src/log.js";
import { projectPath } from "../../src/paths.js";
import { fanOut } from "../../src/delivery/store.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { launchBrowser, type TestBrowser } from "../support/browser.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

/**
 * The preview inbox in a real browser: the official Adaptive Cards renderer draws the cards,
 * clicks go through the same pipeline as Webex and Slack, and the database shows the result.
 * Screenshots of every card in both languages go to test/artifacts/ (ignored by git).
 */

const ARTIFACTS = projectPath("test", "artifacts");
const en = translator("en");
const ru = translator("ru");

let db: TestDatabase;
let http: HttpServer;
let browser: TestBrowser;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase("embedded");
  const config = loadConfig({ LOG_LEVEL: "silent" });
  const log = createLogger("silent");
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  // What the service's dispatcher does first: a person's rows become one row per chat it has.
  await fanOut(db.pool, ["preview"]);
  const deps: ConversationDeps = { db, config, log, now: () => new Date() };
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
  http.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).router);
  base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  browser = await launchBrowser(base);
});

afterAll(async () => {
  await browser?.close();
  await http?.close();
  await db?.close();
});

const webex = (item: Locator) => item.locator(".pane-webex");

async function screenshot(target: Locator | Page, ...parts: string[]): Promise<void> {
  const file = path.join(ARTIFACTS, ...parts);
  mkdirSync(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, animations: "disabled" });
}

describe("preview", () => {
  it("draws every card with the official renderer in both languages, next to its Slack rendering", async () => {
    // The page loads the package's own renderer, byte for byte.
    const served = Buffer.from(await (await fetch(`${base}/preview/assets/adaptivecards.min.js`)).arrayBuffer());
    expect(served.equals(readFileSync(createRequire(import.meta.url).resolve("adaptivecards/dist/adaptivecards.min.js")))).toBe(true);
    const page = await browser.newPage();
    for (const locale of ["en", "ru"] as Locale[]) {
      await page.goto(`${base}/preview/cards?locale=${locale}`);
      for (const name of CARD_NAMES) {
        const item = page.locator(`.item[data-card="${name}"]`);
        await webex(item).locator(".ac-adaptiveCard").waitFor();
        expect(await item.locator(".pane-slack .sk-block").count(), `${name} [${locale}] Slack blocks`).toBeGreaterThan(0);
        expect(await item.locator(".ac-warnings").count(), `${name} [${locale}] renderer warnings`).toBe(0);
        await screenshot(item, "cards", locale, `${name}.png`);
      }
      const stalled = webex(page.locator('.item[data-card="alert.stalled"]'));
      await stalled.getByRole("button", { name: translator(locale)("cards.button.assignToMe") }).waitFor();
    }
    await page.close();
    expect(browser.blocked).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it("lets a CSM assign a stalled alert to themselves, read it in Russian, and see a refused contact next to the field", async () => {
    const { prisma } = db;
    const james = await prisma.csm.findUniqueOrThrow({ where: { email: "james.lee@partner.example" } });
    expect(james.locale).toBe("en");
    // A stalled alert on a deployment nobody is assigned to: the inbox lists it under "Unassigned".
    const stalled = await prisma.alert.findFirstOrThrow({
      where: { kind: "stalled", status: "open", useCaseDeployment: { deployment: { assignedCsmId: null, active: true } } },
      include: { useCaseDeployment: { include: { deployment: true } } },
      orderBy: { id: "asc" },
    });
    const deployment = stalled.useCaseDeployment.deployment;
    // A contact alert on one of James's deployments.
    const contactAlert = await prisma.alert.findFirstOrThrow({
      where: { kind: { in: ["bounced_contact", "missing_contact"] }, status: "open", useCaseDeployment: { deployment: { assignedCsmId: james.id } } },
      orderBy: { id: "asc" },
    });

    // What the second demo day routed to James is in the outbox: that is what "arrived", newest first.
    const arrivedRows = await prisma.outboxMessage.findMany({ where: { channel: "preview", csmId: james.id }, orderBy: { id: "desc" } });
    expect(arrivedRows.length).toBeGreaterThan(0);

    const page = await browser.newPage();
    await page.goto(`${base}/preview`);
    await page.getByRole("link", { name: james.name }).click();
    await page.waitForURL(/csm=james\.lee/);

    // The inbox, in James's language: the alert is drawn by the official renderer.
    const item = page.locator(`#section-unassigned .item[data-alert-id="${stalled.id}"]`);
    await webex(item).getByText(en("cards.fact.notAssigned")).waitFor();
    const arrivedIds = await page.locator("#section-arrived .item").evaluateAll((items) => items.map((i) => i.getAttribute("data-alert-id")));
    expect(arrivedIds).toEqual(arrivedRows.map((r) => String(r.alertId)));
    expect(await page.locator("#section-arrived .badge-today").count()).toBe(arrivedRows.length);
    await page.locator('#section-digest .item[data-card="digest"] .ac-adaptiveCard').waitFor();
    await screenshot(page, "preview", "inbox.en.png");

    // "Assign deployment to me" goes through the action pipeline: receipt, database, audit, card refreshed in place.
    await webex(item).getByRole("button", { name: en("cards.button.assignToMe") }).click();
    const receipt = en("cards.receipt.assigned", { name: james.name });
    await page.locator("#transcript .msg-bot", { hasText: receipt }).waitFor();
    expect((await prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).assignedCsmId).toBe(james.id);
    const audit = await prisma.auditEntry.findFirst({ where: { action: "usecase.assign", entityId: deployment.deploymentId }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ csmId: james.id, channel: "preview" });
    await webex(item).getByText(james.name, { exact: true }).waitFor();
    expect(await webex(item).getByText(en("cards.fact.notAssigned")).count()).toBe(0);
    await item.locator(".badge-refreshed").waitFor();
    await screenshot(page.locator("#transcript .msg-bot", { hasText: receipt }), "preview", "receipt.en.png");

    // A typed command answers in the conversation.
    await page.locator("#chat-input").fill("stalled");
    await page.locator("#chat-input").press("Enter");
    await page.locator('#transcript .item[data-card="list"]').waitFor();

    // The switch renders the page in Russian; the alert is now James's.
    await page.getByRole("link", { name: "Русский" }).click();
    await page.waitForURL(/lang=ru/);
    const assigned = webex(page.locator(`.item[data-alert-id="${stalled.id}"]`).first());
    await assigned.getByRole("button", { name: ru("cards.button.assignToMe") }).waitFor();
    const text = await assigned.innerText();
    expect(text).toContain(ru("cards.label.customer"));
    expect(text).toContain(ru("cards.label.recommendation"));
    expect(text).not.toContain(en("cards.button.assignToMe"));
    expect(text).not.toContain(en("cards.label.recommendation"));
    await screenshot(assigned, "preview", "alert.ru.png");

    // The contact form refuses an address in the partner's own domain, next to the field.
    const contactItem = page.locator(`.item[data-alert-id="${contactAlert.id}"]`).first();
    await webex(contactItem).getByRole("button", { name: ru("cards.button.updateContact") }).click();
    await webex(contactItem).locator('[id="email"] input').fill("x@partner.example");
    await webex(contactItem).getByRole("button", { name: ru("cards.button.save") }).click();
    const refusal = ru("chat.contact.partnerDomain", { domain: "partner.example" });
    const fieldError = webex(contactItem).locator('[id="email"] + .field-error[data-field-error="email"]');
    await fieldError.waitFor();
    expect(await fieldError.innerText()).toBe(refusal);
    expect(await prisma.contact.count({ where: { email: "x@partner.example" } })).toBe(0);
    await screenshot(contactItem, "preview", "contact-refused.ru.png");

    // `lang ru` typed in the conversation changes James's own setting through the pipeline.
    await page.locator("#chat-input").fill("lang ru");
    await page.locator("#chat-input").press("Enter");
    await page.waitForURL((url) => !url.searchParams.has("lang"));
    await page.locator("#transcript .msg-bot", { hasText: ru("chat.done.lang") }).waitFor();
    expect((await prisma.csm.findUniqueOrThrow({ where: { id: james.id } })).locale).toBe("ru");

    await page.close();
    expect(browser.blocked).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it("without a token answers only a browser on this machine: not through a proxy, not under another host name", async () => {
    expect((await fetch(`${base}/preview/cards`)).status).toBe(200);
    expect((await fetch(`${base}/preview/cards`, { headers: { "x-forwarded-for": "203.0.113.9" } })).status).toBe(403);
    expect((await fetch(`${base}/preview/cards`, { headers: { forwarded: "for=203.0.113.9" } })).status).toBe(403);
    const rebound = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(base);
      request({ hostname, port, path: "/preview/cards", headers: { host: "attacker.example" } }, (res) => resolve(res.statusCode ?? 0)).on("error", reject).end();
    });
    expect(rebound).toBe(403);
  });

  it("asks for PREVIEW_TOKEN when one is set, in the URL or as basic auth, and carries it in the page's links", async () => {
    const token = "preview-token-for-tests";
    const config = loadConfig({ LOG_LEVEL: "silent", PREVIEW_TOKEN: token });
    const log = createLogger("silent");
    const deps: ConversationDeps = { db, config, log, now: () => new Date() };
    const guarded = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
    guarded.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).router);
    const at = `http://127.0.0.1:${(guarded.server.address() as AddressInfo).port}/preview`;
    try {
      for (const path of ["", "/cards", "/assets/adaptivecards.min.js"]) {
        const refused = await fetch(`${at}${path}`);
        expect(refused.status, path).toBe(401);
        expect(refused.headers.get("www-authenticate")).toMatch(/^Basic/);
      }
      expect((await fetch(`${at}?token=wrong-token-value`)).status).toBe(401);
      const post = await fetch(`${at}/api/message`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ csm: "james.lee@partner.example", text: "help" }) });
      expect(post.status).toBe(401);

      const page = await fetch(`${at}?csm=james.lee%40partner.example&token=${token}`);
      expect(page.status).toBe(200);
      const markup = await page.text();
      expect(markup).toContain(`/preview/assets/adaptivecards.min.js?token=${token}`);
      expect(markup).toContain(`/preview/api/action?token=${token}`);
      const basic = `Basic ${Buffer.from(`anyone:${token}`).toString("base64")}`;
      expect((await fetch(`${at}/cards`, { headers: { authorization: basic } })).status).toBe(200);
      const answer = await fetch(`${at}/api/message`, { method: "POST", headers: { authorization: basic, "content-type": "application/json" }, body: JSON.stringify({ csm: "james.lee@partner.example", text: "help" }) });
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { replies: { name: string }[] }).replies.map((r) => r.name)).toEqual(["help"]);
    } finally {
      await guarded.close();
    }
  });

  it("answers nothing when the preview is off (PostgreSQL without PREVIEW=1)", async () => {
    const config = { ...loadConfig({ LOG_LEVEL: "silent" }), preview: { enabled: false, token: undefined } };
    const log = createLogger("silent");
    const deps: ConversationDeps = { db, config, log, now: () => new Date() };
    const off = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
    off.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).router);
    try {
      const at = `http://127.0.0.1:${(off.server.address() as AddressInfo).port}/preview`;
      expect((await fetch(`${at}?csm=james.lee%40partner.example`)).status).toBe(404);
      expect((await fetch(`${at}/cards`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
