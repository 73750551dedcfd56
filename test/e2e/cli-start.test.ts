import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateCard } from "../../src/cards/validate.js";
import { readMigrations } from "../../src/db/migrate.js";
import { CARD_NAMES } from "../../src/protocol/views.js";
import { createTestDatabase } from "../support/db.js";
import { freePort, runCli, startBot } from "../support/cli.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "lca-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("lca-bot start", () => {
  it("comes up on an empty embedded database with the demo data and answers /healthz", async () => {
    const port = await freePort();
    const bot = await startBot({ DATA_DIR: dataDir }, port);
    try {
      expect(bot.output()).toContain("loaded the demo data set");
      const readyz = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { "x-request-id": "req-42" } });
      expect(readyz.headers.get("x-request-id")).toBe("req-42");
      const ready = await readyz.json();
      expect(ready).toEqual({ status: "ready", checks: { database: true, migrations: true, channels: true } });
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^lca_outbox_depth\{status="pending"/m);
    } finally {
      expect(await bot.stop()).toBe(0);
    }
    // A restart finds its data and loads nothing again.
    const again = await startBot({ DATA_DIR: dataDir }, port);
    try {
      expect(again.output()).toContain("nothing to migrate");
      expect(again.output()).not.toContain("loaded the demo data set");
    } finally {
      await again.stop();
    }
  });

  it("runs on PostgreSQL: the second start migrates nothing and no demo data is loaded", async () => {
    const db = await createTestDatabase("postgres", { migrate: false });
    try {
      const env = { DATABASE_URL: db.url!, PARTNER_NAME: "Acme Networks", PARTNER_DOMAINS: "acme.example" };
      const first = await startBot(env, await freePort());
      await first.stop();
      expect(first.output()).toContain(`applied ${readMigrations().length} migration(s)`);
      const second = await startBot(env, await freePort());
      await second.stop();
      expect(second.output()).toContain("nothing to migrate");
      expect(first.output() + second.output()).not.toContain("demo data");
      expect(await db.prisma.snapshot.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("refuses wrong settings with one readable message naming each, and exit code 2", async () => {
    const result = await runCli(["start"], { PORT: "abc", DATABASE_URL: "mysql://x" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("PORT: must be a number");
    expect(result.stderr).toContain("DATABASE_URL: must be a PostgreSQL URL");
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("writes every card in both renderings with `cards --out`", async () => {
    const out = path.join(dataDir, "cards");
    const result = await runCli(["cards", "--out", out, "--locale", "ru"], {});
    expect(result.code, result.stderr).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(CARD_NAMES.length * 2);
    expect(files).toContain("alert.stalled.ru.adaptive.json");
    expect(files).toContain("alert.stalled.ru.slack.json");
    for (const name of CARD_NAMES) {
      const card: unknown = JSON.parse(readFileSync(path.join(out, `${name}.ru.adaptive.json`), "utf8"));
      expect(validateCard(card), name).toEqual([]);
      expect(JSON.parse(readFileSync(path.join(out, `${name}.ru.slack.json`), "utf8")).blocks.length).toBeGreaterThan(0);
    }
    expect((await runCli(["cards", "--out", out, "--locale", "de"], {})).code).toBe(2);
  });
});
