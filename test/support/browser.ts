import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium package (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Exactly these: no sandbox in containers, and nothing that phones home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

export interface TestBrowser {
  context: BrowserContext;
  /** A new page that may only talk to `allowedOrigin`; anything else is aborted and recorded. */
  newPage(): Promise<Page>;
  /** Requests that tried to leave the allowed origin (must stay empty). */
  blocked: string[];
  /** Uncaught page errors and console errors (must stay empty). */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile, allowed to reach only `allowedOrigin` (the bot
 * under test on 127.0.0.1): the browser never reaches the internet, and a page that tries
 * (a font, a CDN script) shows up in `blocked`.
 */
export async function launchBrowser(allowedOrigin: string): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium), or set CHROMIUM_PATH`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), "lca-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1440, height: 1000 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  const blocked: string[] = [];
  const pageErrors: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(allowedOrigin) || url.startsWith("data:") || url === "about:blank") return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  return {
    context,
    blocked,
    pageErrors,
    async newPage() {
      const page = await context.newPage();
      // Fail a step with Playwright's message well before the test's own 60 s limit.
      page.setDefaultTimeout(15_000);
      page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") pageErrors.push(`console: ${message.text()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
