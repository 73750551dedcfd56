import { createReadStream, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/database.js";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import { refresh } from "../../src/ingest/refresh.js";
import { scheduledRefresh } from "../../src/jobs/refresh-job.js";
import { createTestDatabase } from "../support/db.js";
import { row } from "../support/rows.js";

const feed = mkdtempSync(path.join(tmpdir(), "lca-feed-"));
afterAll(() => rmSync(feed, { recursive: true, force: true }));

describe("the daily refresh", () => {
  it("runs once per cluster: of two instances on one PostgreSQL, exactly one ingests", async () => {
    await writeSnapshot([row(), row({ useCase: "Campus Network Visibility" })], path.join(feed, "export-1.csv"));
    const db = await createTestDatabase("postgres");
    const second = await openDatabase({ kind: "postgres", url: db.url! });
    const config = loadConfig({ LCA_FEED: feed });
    try {
      const [a, b] = await Promise.all([
        scheduledRefresh(db.pool, config, "instance-a", "2026-11-23"),
        scheduledRefresh(second.pool, config, "instance-b", "2026-11-23"),
      ]);
      expect([a.ran, b.ran].sort()).toEqual([false, true]);
      expect(await db.prisma.snapshot.count()).toBe(1);
      const { rows } = await db.pool.query(`SELECT job, slot, outcome FROM job_run`);
      expect(rows).toEqual([{ job: "refresh", slot: "2026-11-23", outcome: "ok" }]);
    } finally {
      await second.close();
      await db.close();
    }
  });

  it("takes the newest export of the folder and skips one applied before", async () => {
    const db = await createTestDatabase("postgres");
    const config = loadConfig({ LCA_FEED: feed });
    try {
      const older = path.join(feed, "export-0.json");
      await writeSnapshot([row()], older);
      utimesSync(older, new Date("2026-01-01"), new Date("2026-01-01"));
      const first = await refresh(db.pool, config, "2026-11-23");
      expect(first).toMatchObject({ applied: true, newExport: true, summary: { source: "export-1.csv", rowsRead: 2 } });
      expect(await refresh(db.pool, config, "2026-11-23")).toMatchObject({ applied: false, reason: "unchanged" });
      // The next day, before LCA's new export arrives: the same file is applied for the new date.
      expect(await refresh(db.pool, config, "2026-11-24")).toMatchObject({ applied: true, newExport: false, summary: { asOf: "2026-11-24" } });
    } finally {
      await db.close();
    }
  });

  it("keeps the day open until a new export is applied, then stops looking", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "lca-feed-day-"));
    const db = await createTestDatabase("postgres");
    const config = loadConfig({ LCA_FEED: folder });
    try {
      await writeSnapshot([row()], path.join(folder, "monday.csv"));
      expect((await scheduledRefresh(db.pool, config, "a", "2026-11-23")).ran).toBe(true);
      expect((await scheduledRefresh(db.pool, config, "a", "2026-11-23")).ran).toBe(false);
      // Tuesday 06:00: Monday's file is still the newest, so the day stays open...
      const early = await scheduledRefresh(db.pool, config, "a", "2026-11-24");
      expect(early).toMatchObject({ ran: true, result: { applied: true, newExport: false } });
      // ...and at 06:30 Tuesday's export has arrived and is applied; after that the day is done.
      const tuesday = path.join(folder, "tuesday.csv");
      await writeSnapshot([row(), row({ useCase: "Campus Network Visibility" })], tuesday);
      utimesSync(tuesday, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
      expect(await scheduledRefresh(db.pool, config, "b", "2026-11-24")).toMatchObject({ ran: true, result: { applied: true, newExport: true } });
      expect((await scheduledRefresh(db.pool, config, "a", "2026-11-24")).ran).toBe(false);
    } finally {
      await db.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("downloads the export from an HTTP(S) feed URL and ingests it", async () => {
    const file = path.join(feed, "export-1.csv");
    const server = createServer((req, res) => {
      if (req.url !== "/exports/latest.csv") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/csv" });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const db = await createTestDatabase("postgres");
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const applied = await refresh(db.pool, loadConfig({ LCA_FEED: `${base}/exports/latest.csv` }), "2026-11-23");
      expect(applied).toMatchObject({ applied: true, summary: { source: "latest.csv", rowsRead: 2 } });
      const missing = await refresh(db.pool, loadConfig({ LCA_FEED: `${base}/exports/gone.csv` }), "2026-11-24").catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: "ingest.feedUnreadable", params: { reason: "HTTP 404" } });
    } finally {
      server.close();
      await db.close();
    }
  });

  it("stops an HTTPS feed download past LCA_FEED_MAX_BYTES or LCA_FEED_TIMEOUT_MS, with a coded error and nothing changed", async () => {
    const MB = 1024 * 1024;
    const hanging: import("node:http").ServerResponse[] = [];
    const server = createServer((req, res) => {
      if (req.url === "/declared.csv") {
        // Says up front it is too big.
        res.writeHead(200, { "content-type": "text/csv", "content-length": String(10 * MB) });
        res.write("CR Party ID\n");
        return void hanging.push(res);
      }
      if (req.url === "/endless.csv") {
        // Chunked, no length: only counting finds out.
        res.writeHead(200, { "content-type": "text/csv" });
        const chunk = Buffer.alloc(64 * 1024, "x");
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once("drain", pump);
        };
        return void pump();
      }
      if (req.url === "/trickle.csv") {
        res.writeHead(200, { "content-type": "text/csv" });
        res.write("CR Party ID,");
        return void hanging.push(res); // and then nothing, forever
      }
      hanging.push(res); // /silent.csv: not even headers
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const db = await createTestDatabase("postgres");
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const attempt = async (name: string) => {
        const started = performance.now();
        const config = loadConfig({ LCA_FEED: `${base}/${name}`, LCA_FEED_MAX_BYTES: String(MB), LCA_FEED_TIMEOUT_MS: "500" });
        const error = await refresh(db.pool, config, "2026-11-23").catch((e: unknown) => e);
        return { error, ms: performance.now() - started };
      };
      expect((await attempt("declared.csv")).error).toMatchObject({ code: "ingest.feedTooLarge", params: { max: MB } });
      const endless = await attempt("endless.csv");
      expect(endless.error).toMatchObject({ code: "ingest.feedTooLarge" });
      for (const name of ["trickle.csv", "silent.csv"]) {
        const { error, ms } = await attempt(name);
        expect(error, name).toMatchObject({ code: "ingest.feedTimeout", params: { ms: 500 } });
        expect(ms).toBeLessThan(5000);
      }
      expect(await db.prisma.snapshot.count()).toBe(0);
      // The defaults, and a bad setting refused with the others.
      expect(loadConfig({}).refresh).toMatchObject({ feedMaxBytes: 200 * MB, feedTimeoutMs: 60_000 });
      expect(() => loadConfig({ LCA_FEED_MAX_BYTES: "lots", LCA_FEED_TIMEOUT_MS: "5" })).toThrow(/LCA_FEED_MAX_BYTES: must be a number of bytes[\s\S]*LCA_FEED_TIMEOUT_MS: must be at least 100 ms/);
    } finally {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close();
      await db.close();
    }
  });
});
