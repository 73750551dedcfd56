import { request } from "node:http";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { CARD_NAMES } from "../../src/protocol/views.js";
import { createPreviewChannel, PREVIEW_PATH } from "../../src/channels/preview/index.js";
import { loadConfig, type Locale } from "../../src/config.js";
import { todayIn } from "../../src/domain/dates.js";
import { loadDemo } from "../../src/demo/load.js";
import { translator } from "../../src/i18n.js";
import { projectPath } from "../../src/paths.js";
import { fanOut } from "../../src/delivery/store.js";
import { enqueueRedraws } from "../../src/delivery/refresh.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { launchBrowser, type TestBrowser } from "../support/browser.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";

/**
 * The preview inbox in a real browser: the official Adaptive Cards renderer draws the cards,
 * clicks go through the same pipeline as Webex and Slack, and the database shows the result.
 * Screenshots of every card in both languages go to test/artifacts/ (ignored by git).
 */

const ARTIFACTS = projectPath("test", "artifacts");
/** Every line the preview logs during this file, at trace; none may hold a preview token (afterAll). */
const captured = captureLog();
const SECRETS = ["preview-token-for-tests", "anna-preview-token-0123456789", "sophie-admin-token-0123456789"];
const en = translator("en");
const ru = translator("ru");

let db: TestDatabase;
let http: HttpServer;
let browser: TestBrowser;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase("embedded");
  const config = loadConfig({ LOG_LEVEL: "silent" });
  const { log } = captured;
  await loadDemo(db, config, todayIn(config.partner.timeZone));
  // What the service's dispatcher does first: a person's rows become one row per chat it has.
  await fanOut(db.pool, ["preview"]);
  const deps: ConversationDeps = { db, config, log, now: () => new Date() };
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
  http.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).http.router);
  base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  browser = await launchBrowser(base);
});

afterAll(async () => {
  await browser?.close();
  await http?.close();
  await db?.close();
  expectNoSecrets(captured.lines, SECRETS);
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
    // One card per alert (later rows about it are replies in its thread), the newest activity first.
    const latest = new Map<string, number>();
    for (const row of [...arrivedRows].reverse()) latest.set(row.alertId === null ? `row:${row.id}` : String(row.alertId), Number(row.id));
    const expectedIds = [...latest.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => (k.startsWith("row:") ? null : k));
    const arrivedIds = await page.locator("#section-arrived > .item").evaluateAll((items) => items.map((i) => i.getAttribute("data-alert-id")));
    expect(arrivedIds).toEqual(expectedIds);
    expect(await page.locator("#section-arrived > .item > .badges .badge-today").count()).toBe(expectedIds.length);
    await page.locator('#section-digest .item[data-card="digest"] .ac-adaptiveCard').waitFor();
    await screenshot(page, "preview", "inbox.en.png");

    // "Assign deployment to me" goes through the action pipeline: receipt, database, audit, card
    // refreshed in place. The receipt is a reply in the card's thread, as in Slack and Webex.
    await webex(item).getByRole("button", { name: en("cards.button.assignToMe") }).click();
    const receipt = en("cards.receipt.assigned", { name: james.name });
    await item.locator(".thread .reply", { hasText: receipt }).waitFor();
    expect(await page.locator("#transcript .msg-bot", { hasText: receipt }).count()).toBe(0);
    expect((await prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).assignedCsmId).toBe(james.id);
    const audit = await prisma.auditEntry.findFirst({ where: { action: "usecase.assign", entityId: deployment.deploymentId }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ csmId: james.id, channel: "preview" });
    await webex(item).getByText(james.name, { exact: true }).waitFor();
    expect(await webex(item).getByText(en("cards.fact.notAssigned")).count()).toBe(0);
    await item.locator(".badge-refreshed").waitFor();
    await screenshot(item, "preview", "receipt.en.png");

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

  it("shows names from the data as text: no link, emphasis or script is made of them, in either pane", async () => {
    const { prisma } = db;
    const customer = "<script>window.__pwned=1</script> Acme](https://evil.example) [y *bold* <!channel>";
    const useCase = "[click](https://evil.example) _it_ `code` https://evil.example";
    await prisma.customer.updateMany({ data: { name: customer } });
    for (const { id } of await prisma.useCase.findMany({ select: { id: true } })) await prisma.useCase.update({ where: { id }, data: { name: `${useCase} ${id}` } });
    await prisma.deployment.updateMany({ data: { installSite: "<@all> # Site" } });

    const page = await browser.newPage();
    await page.goto(`${base}/preview?csm=${encodeURIComponent("james.lee@partner.example")}`);
    const first = page.locator("#section-arrived .item").first();
    await webex(first).locator(".ac-adaptiveCard").waitFor();
    // A list: its rows link each customer to LCA, with the name as the link's whole text.
    await page.locator("#chat-input").fill("stalled");
    await page.locator("#chat-input").press("Enter");
    const list = page.locator('#transcript .item[data-card="list"]').last();
    await webex(list).locator(".ac-adaptiveCard").waitFor();

    const shown = (await first.innerText()).replace(/\u2060/g, "");
    expect(shown).toContain(customer);
    const links = await page.locator(".item a[href]").evaluateAll((as) => as.map((a) => [a.getAttribute("href") ?? "", (a.textContent ?? "").replace(/\u2060/g, "")]));
    expect(links.length).toBeGreaterThan(0);
    for (const [href, text] of links) {
      expect(href).not.toContain("evil");
      expect(text).toBe(customer);
    }
    const marked = await page.locator(".item :is(strong, em, code, del, h1, h2, h3, blockquote, li)").evaluateAll((els) => els.map((e) => e.textContent ?? ""));
    for (const text of marked) expect(text).not.toMatch(/^(bold|it|code|click)$/);
    expect(await page.locator(".item script").count()).toBe(0);
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    await screenshot(page, "preview", "hostile-names.png");
    await page.close();
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
    const { log } = captured;
    const deps: ConversationDeps = { db, config, log, now: () => new Date() };
    const guarded = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
    guarded.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).http.router);
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
    const { log } = captured;
    const deps: ConversationDeps = { db, config, log, now: () => new Date() };
    const off = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
    off.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).http.router);
    try {
      const at = `http://127.0.0.1:${(off.server.address() as AddressInfo).port}/preview`;
      expect((await fetch(`${at}?csm=james.lee%40partner.example`)).status).toBe(404);
      expect((await fetch(`${at}/cards`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });

  describe("PREVIEW_TOKENS: each token acts as one CSM", () => {
    const annaToken = "anna-preview-token-0123456789";
    const sophieToken = "sophie-admin-token-0123456789";
    const anna = "anna.petrova@partner.example";
    const james = "james.lee@partner.example";
    let bound: HttpServer;
    let at: string;
    const json = (body: unknown, token = annaToken) => ({ method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const refusals = () => db.prisma.auditEntry.findMany({ where: { action: "preview.refused" }, orderBy: { id: "asc" } });

    beforeAll(async () => {
      const config = loadConfig({ LOG_LEVEL: "silent", ADMINS: "sophie.mueller@partner.example", PREVIEW_TOKENS: `${anna}:${annaToken},sophie.mueller@partner.example:${sophieToken}` });
      const { log } = captured;
      const deps: ConversationDeps = { db, config, log, now: () => new Date() };
      bound = await startHttpServer({ port: 0, host: "127.0.0.1", log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
      bound.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log }).http.router);
      at = `http://127.0.0.1:${(bound.server.address() as AddressInfo).port}/preview`;
    });
    afterAll(async () => {
      await bound?.close();
    });

    it("opens the token's own inbox, without a picker of other CSMs", async () => {
      const page = await fetch(`${at}?token=${annaToken}`);
      expect(page.status).toBe(200);
      const markup = await page.text();
      expect(markup).toContain(anna);
      expect(markup).not.toContain(james);
      const answer = await fetch(`${at}/api/message`, json({ text: "help" }));
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { replies: { name: string }[] }).replies.map((r) => r.name)).toEqual(["help"]);
      // Its own email, in any case or with spaces, is its own.
      expect((await fetch(`${at}/api/message`, json({ csm: " ANNA.Petrova@partner.example ", text: "help" }))).status).toBe(200);
    });

    it("refuses, with 403 in the person's language, and audits every request naming another CSM", async () => {
      const before = (await refusals()).length;
      // A browser asking for James's inbox gets a page in Anna's language (Russian).
      const page = await fetch(`${at}?csm=${encodeURIComponent(james)}&token=${annaToken}`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(403);
      expect(page.headers.get("content-type")).toMatch(/text\/html/);
      const markup = await page.text();
      expect(markup).toContain(ru("errors.preview.otherCsm", { email: anna, named: james }));
      expect(markup).not.toContain("James Lee");
      // The language switch is honoured on the refusal too.
      const english = await fetch(`${at}?csm=${encodeURIComponent(james)}&lang=en&token=${annaToken}`, { headers: { accept: "text/html" } });
      expect(await english.text()).toContain(en("errors.preview.otherCsm", { email: anna, named: james }));

      const hostile = [
        { csm: james, text: "stalled" },
        { csm: " JAMES.LEE@partner.example ", text: "mine" },
        { csm: "eve@elsewhere.example", text: "help" },
      ];
      for (const body of hostile) {
        const refused = await fetch(`${at}/api/message`, json(body));
        expect(refused.status, body.csm).toBe(403);
        expect(refused.headers.get("content-type")).toMatch(/application\/json/);
        expect(await refused.json()).toEqual({ error: ru("errors.preview.otherCsm", { email: anna, named: body.csm.trim().toLowerCase() }) });
      }
      const action = await fetch(`${at}/api/action`, json({ csm: james, data: { v: 1, a: "alert.snooze", id: 1, ev: 0, days: 7 } }));
      expect(action.status).toBe(403);
      // The inbox as JSON, threads and all, is behind the same rule.
      const inbox = await fetch(`${at}/api/inbox?csm=${encodeURIComponent(james)}&token=${annaToken}`);
      expect(inbox.status).toBe(403);
      expect(JSON.stringify(await inbox.json())).not.toContain("James Lee");

      const audited = (await refusals()).slice(before);
      const annaId = (await db.prisma.csm.findUniqueOrThrow({ where: { email: anna } })).id;
      expect(audited.map((a) => [a.csmId, a.channel, a.entityId])).toEqual([
        [annaId, "preview", james],
        [annaId, "preview", james],
        [annaId, "preview", james],
        [annaId, "preview", james],
        [annaId, "preview", "eve@elsewhere.example"],
        [annaId, "preview", james],
        [annaId, "preview", james],
      ]);
      expect(audited[0]!.after).toMatchObject({ refused: true, reason: "preview.otherCsm", as: anna, path: "/" });
    });

    it("lets only an admin's token assign a deployment to someone else", async () => {
      const deployment = await db.prisma.deployment.findFirstOrThrow({ where: { active: true }, orderBy: { id: "asc" } });
      const assign = { v: 1, a: "usecase.assign", id: deployment.id, ev: deployment.version, to: james };
      const before = (await refusals()).length;
      const refused = await fetch(`${at}/api/action`, json({ data: assign }));
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: ru("errors.preview.adminOnly", { email: anna, named: james }) });
      expect((await refusals()).slice(before).map((a) => [a.entityId, (a.after as { reason: string }).reason])).toEqual([[james, "preview.adminOnly"]]);
      expect((await db.prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).assignedCsmId).toBe(deployment.assignedCsmId);

      const byAdmin = await fetch(`${at}/api/action`, json({ data: assign }, sophieToken));
      expect(byAdmin.status).toBe(200);
      expect((await db.prisma.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).assignedCsmId).toBe((await db.prisma.csm.findUniqueOrThrow({ where: { email: james } })).id);
    });

    it("refuses wrong, partial, doubled and shared-looking tokens with a short JSON 401", async () => {
      const attempts: [string, RequestInit?][] = [
        [`${at}`],
        [`${at}?token=`],
        [`${at}?token=${annaToken}x`],
        [`${at}?token=${annaToken.slice(0, -1)}`],
        [`${at}?token=${annaToken}&token=${annaToken}`],
        [`${at}?token=${encodeURIComponent(` ${annaToken}`)}`],
        [`${at}`, { headers: { authorization: `Basic ${Buffer.from(`${anna}:wrong-token-0123456789`).toString("base64")}` } }],
        [`${at}/api/message`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }],
      ];
      for (const [url, init] of attempts) {
        const refused = await fetch(url, init);
        expect(refused.status, url).toBe(401);
        expect(refused.headers.get("content-type"), url).toMatch(/application\/json/);
        expect(Object.keys((await refused.json()) as object)).toEqual(["error"]);
      }
      expect((await fetch(`${at}/cards`, { headers: { authorization: `Basic ${Buffer.from(`anyone:${annaToken}`).toString("base64")}` } })).status).toBe(200);
    });

    it("answers malformed and oversized bodies, unknown routes and methods with short JSON after the token", async () => {
      const auth = { authorization: `Bearer ${annaToken}` };
      const cases: [string, RequestInit, number][] = [
        [`${at}/api/message`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: '{"text": "help",' }, 400],
        [`${at}/api/message`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: "x".repeat(70_000) }) }, 413],
        [`${at}/api/message`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ csm: ["a"], text: "help" }) }, 400],
        [`${at}/api/message`, { method: "GET", headers: auth }, 405],
        [`${at}/no/such/page`, { headers: auth }, 404],
        [`${at}/assets/..%2f..%2fpackage.json`, { headers: auth }, 404],
      ];
      for (const [url, init, status] of cases) {
        const answer = await fetch(url, init);
        expect(answer.status, `${init.method ?? "GET"} ${url}`).toBe(status);
        const text = await answer.text();
        expect(text.length).toBeLessThan(300);
        expect(text).not.toMatch(/<html|at .*\.js|node_modules/i);
        expect(Object.keys(JSON.parse(text) as object)).toContain("error");
      }
    });

    it("sends no-store, a CSP without inline script, and no framing, sniffing or referrer on every answer", async () => {
      const urls = [`${at}?token=${annaToken}`, `${at}/cards?token=${annaToken}`, `${at}/assets/preview.js?token=${annaToken}`, `${at}/nothing?token=${annaToken}`, `${at}`, `${at}?csm=${james}&token=${annaToken}`, `${base}/preview/cards`];
      for (const url of urls) {
        const answer = await fetch(url);
        const headers = answer.headers;
        expect(headers.get("cache-control"), url).toBe("no-store");
        const csp = headers.get("content-security-policy") ?? "";
        expect(csp, url).toContain("default-src 'self'");
        expect(csp, url).toContain("script-src 'self'");
        expect(csp, url).not.toContain("unsafe-inline");
        expect(csp, url).toContain("frame-ancestors 'none'");
        expect(headers.get("x-frame-options"), url).toBe("DENY");
        expect(headers.get("x-content-type-options"), url).toBe("nosniff");
        expect(headers.get("referrer-policy"), url).toBe("no-referrer");
      }
      // The page has no inline script to allow: only JSON data and scripts from our origin.
      const markup = await (await fetch(`${at}?token=${annaToken}`)).text();
      for (const tag of markup.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/type="application\/json"|src="\/preview\/assets\//);
    });

    it("works in a real browser under that CSP: cards drawn, a command answered, no violation", async () => {
      // A browser of its own: the shared one may only reach the first server's origin.
      const own = await launchBrowser(new URL(at).origin);
      const page = await own.newPage();
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`${at}?token=${annaToken}`);
      await page.locator(".item .ac-adaptiveCard").first().waitFor();
      await page.locator("#chat-input").fill("help");
      await page.locator("#chat-input").press("Enter");
      await page.locator('#transcript .item[data-card="help"]').waitFor();
      await page.close();
      await own.close();
      expect(violations).toEqual([]);
      expect(own.blocked).toEqual([]);
      expect(own.pageErrors).toEqual([]);
    });
  });
});

describe("preview: Home", () => {
  it("shows the CSM's Home above the inbox, in both panes, and its language control changes their language through the pipeline", async () => {
    const { prisma } = db;
    const james = await prisma.csm.update({ where: { email: "james.lee@partner.example" }, data: { locale: "en" } });
    const page = await browser.newPage();
    await page.goto(`${base}/preview?csm=${encodeURIComponent(james.email)}`);
    const home = page.locator('#section-home .item[data-card="home"]');
    await webex(home).getByText(en("cards.home.title", { name: james.name })).waitFor();
    expect(await page.locator("section.section").first().getAttribute("id")).toBe("section-home");
    const slackText = await home.locator(".pane-slack").innerText();
    expect(slackText).toContain(en("cards.label.homeUrgent"));
    expect(slackText).toContain(en("cards.label.homeSettings"));
    expect(await webex(home).getByRole("button", { name: en("cards.button.assignToMe") }).count()).toBeGreaterThan(0);
    await screenshot(home, "preview", "home.en.png");

    await webex(home).getByRole("button", { name: en("cards.home.switchLanguage", { language: en("chat.language.ru") }) }).click();
    await page.locator("#transcript .msg-bot", { hasText: ru("chat.done.lang") }).waitFor();
    expect((await prisma.csm.findUniqueOrThrow({ where: { id: james.id } })).locale).toBe("ru");
    expect(await prisma.auditEntry.count({ where: { action: "lang", channel: "preview", csmId: james.id } })).toBeGreaterThan(0);

    await page.goto(`${base}/preview?csm=${encodeURIComponent(james.email)}`);
    await webex(home).getByText(ru("cards.label.homeUrgent")).waitFor();
    expect(await home.locator(".pane-slack").innerText()).toContain(ru("cards.label.homeSettings"));
    await screenshot(home, "preview", "home.ru.png");
    await page.close();
    expect(browser.pageErrors).toEqual([]);
  });
});

describe("preview: threads", () => {
  /** An alert of Anna's that arrived as a card, then a reminder about it, then a change made in Slack. */
  async function threadedAlert() {
    const { prisma } = db;
    const anna = await prisma.csm.findUniqueOrThrow({ where: { email: "anna.petrova@partner.example" } });
    const alert = await prisma.alert.findFirstOrThrow({
      where: { status: "open", kind: "stalled", useCaseDeployment: { deployment: { assignedCsmId: anna.id, active: true } } },
      orderBy: { id: "desc" },
    });
    const row = (kind: string, payload: object) =>
      prisma.outboxMessage.create({ data: { channel: "preview", destination: `csm:${anna.id}`, csmId: anna.id, alertId: alert.id, kind, payload, status: "sent", sentAt: new Date(), dedupeKey: `test-thread:${kind}:${alert.id}:${Math.random()}` } });
    await row("alert", { alertId: alert.id, notice: 0 });
    await row("reminder", { alertId: alert.id, notice: 2 });
    await enqueueRedraws(db.pool, alert.id, undefined, { chat: "slack", actorName: "James Lee", outcome: { key: "snoozed", params: { days: 7 } } });
    return { anna, alert };
  }

  let threaded: Awaited<ReturnType<typeof threadedAlert>>;
  beforeAll(async () => {
    threaded = await threadedAlert();
  });

  type InboxJson = { sections: Record<string, { key: string; alertId: number | null; text: string; badges: string[]; thread: { text: string; badges: string[] }[] }[]> };

  it("answers the inbox as JSON with a reminder and a change made in Slack as replies under the alert's card, in both languages", async () => {
    const { anna, alert } = threaded;
    for (const [lang, t] of [["en", en], ["ru", ru]] as const) {
      const answer = await fetch(`${base}/preview/api/inbox?csm=${encodeURIComponent(anna.email)}&lang=${lang}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("cache-control")).toBe("no-store");
      const inbox = (await answer.json()) as InboxJson;
      const cards = inbox.sections.arrived!.filter((item) => item.alertId === alert.id);
      // One card for the alert, the reminder and the notice in its thread, oldest first: no card of their own.
      expect(cards).toHaveLength(1);
      expect(inbox.sections.arrived![0]!.alertId).toBe(alert.id); // the newest activity comes first
      const [reminder, changed] = cards[0]!.thread;
      expect(cards[0]!.thread).toHaveLength(2);
      expect(reminder!.text).toContain(t("cards.thread.reminderTitle", { n: 2 }));
      expect(reminder!.badges).toContain(t("preview.badge.reminder", { n: 2 }));
      expect(changed!.text).toContain(t("cards.thread.changedTitle", { chat: "Slack" }));
      expect(changed!.text).toContain("James Lee");
    }
    // Not another CSM's: a name that is no CSM is 404, a missing one 400.
    expect((await fetch(`${base}/preview/api/inbox?csm=nobody@partner.example`)).status).toBe(404);
    expect((await fetch(`${base}/preview/api/inbox`)).status).toBe(400);
  });

  it("draws the reminder and the change under the alert's card in the browser, in Russian, in both panes", async () => {
    const { anna, alert } = threaded;
    const page = await browser.newPage();
    await page.goto(`${base}/preview?csm=${encodeURIComponent(anna.email)}&lang=ru`);
    const card = page.locator(`#section-arrived > .item[data-alert-id="${alert.id}"]`);
    expect(await card.count()).toBe(1);
    const replies = card.locator(":scope > .thread > .reply");
    await replies.first().locator(".ac-adaptiveCard").waitFor();
    expect(await replies.count()).toBe(2);
    expect(await webex(replies.nth(0)).innerText()).toContain(ru("cards.thread.reminderTitle", { n: 2 }));
    expect(await replies.nth(0).locator(".pane-slack").innerText()).toContain(ru("cards.thread.reminderTitle", { n: 2 }));
    expect(await webex(replies.nth(1)).innerText()).toContain(ru("cards.thread.changedTitle", { chat: "Slack" }));
    // The card itself is still the alert's, drawn once; no reply became a card of its own.
    expect(await page.locator(`#section-arrived > .item[data-card="notice"]`, { hasText: ru("cards.thread.reminderTitle", { n: 2 }) }).count()).toBe(0);
    await screenshot(card, "preview", "thread.ru.png");
    await page.close();
    expect(browser.blocked).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
