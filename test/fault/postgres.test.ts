import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTestDatabase, POSTGRES_ADMIN_URL } from "../support/db.js";
import { enqueue, markerNotice, unsent, until } from "../support/delivery.js";
import { startWorker, type Worker, faultTuning } from "../support/delivery-workers.js";
import { startFakeChat } from "../support/fake-chat.js";

/**
 * PostgreSQL going away in the middle of dispatching. Restarting the server itself
 * (pg_ctlcluster … restart) is not safe here: every other test file uses the same server at
 * the same time. So the outage is simulated on this test's own throw-away database, the
 * way a restart looks to a client: new connections are refused (ALLOW_CONNECTIONS false) and
 * every open one is cut (pg_terminate_backend), mid-claim, mid-commit or idle in the pool;
 * after a while connections are allowed again.
 */

const OUTAGES = 3;
const OUTAGE_MS = 800;
const TUNING = faultTuning();

describe("PostgreSQL outage mid-dispatch", () => {
  it("recovers, loses nothing and repeats nothing", async () => {
    const db = await createTestDatabase("postgres");
    const name = new URL(db.url!).pathname.slice(1);
    // Slow enough that dispatching spans all the outages.
    const fake = await startFakeChat({ latencyMs: 4 });
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    const workers: Worker[] = await Promise.all(
      ["pg-a", "pg-b"].map((n) => startWorker({ databaseUrl: db.url!, fakeChatUrl: fake.url, name: n, tuning: TUNING })),
    );
    let cut = 0;
    try {
      const markers = Array.from({ length: 600 }, (_, k) => `pg-${k}`);
      const ids = await enqueue(
        db.pool,
        markers.map((m, k) => ({ channel: k % 2 ? ("slack" as const) : ("webex" as const), destination: `ROOM-${k % 8}`, payload: markerNotice(m) })),
      );
      for (let i = 0; i < OUTAGES; i++) {
        await new Promise((r) => setTimeout(r, 500));
        await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [name],
        );
        cut += rows[0]!.n;
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      }
      const deliveredDuringOutages = fake.delivered().length;
      await until(async () => (await unsent(db.pool, ids)) === 0, 60_000, "every message sent after the outages");

      const counts = fake.deliveredCounts();
      const missing = markers.filter((m) => !counts.get(m));
      const duplicates = markers.filter((m) => (counts.get(m) ?? 0) > 1);
      console.log(
        `postgres outage: ${OUTAGES} outages of ${OUTAGE_MS} ms, ${cut} connections cut, ${deliveredDuringOutages} of ${markers.length} delivered by the end of the last outage; missing ${missing.length}, duplicates ${duplicates.length}`,
      );
      expect(cut).toBeGreaterThan(0);
      expect(deliveredDuringOutages).toBeLessThan(markers.length); // the outages did fall mid-dispatch
      expect(missing).toEqual([]);
      // An outcome write that fails is retried while the lease holds, so no message is repeated.
      expect(duplicates).toEqual([]);
      // Both instances are still alive and working.
      expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    } finally {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
      const reports = await Promise.all(workers.map((w) => w.stop().catch(() => null)));
      expect(reports.every((r) => r !== null)).toBe(true);
      await admin.end();
      await fake.close();
      await db.close();
    }
  }, 120_000);
});
