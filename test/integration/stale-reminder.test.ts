import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { loadDemo } from "../../src/demo/load.js";
import { enqueueStaleReminders } from "../../src/writeback/reminder.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

/** The weekday reminder of stale changes: one notice per admin per working day, none at weekends or with nothing stale. */
const ADMINS = ["james.lee@partner.example", "Anna.Petrova@partner.example"];
const TIME_ZONE = "Europe/Moscow";
let db: TestDatabase;

const reminders = async () =>
  (await db.pool.query<{ dedupe_key: string; destination: string; channel: string | null; payload: { view: { title: { params: { count: number } }; text: { params: { stale: number; pending: number } } } } }>(
    `SELECT dedupe_key, destination, channel::text AS channel, payload FROM outbox_message WHERE dedupe_key LIKE 'notice:lca-stale:%' ORDER BY id`,
  )).rows;

beforeAll(async () => {
  db = await createTestDatabase("embedded");
  await loadDemo(db, loadConfig({}), "2026-11-30");
});
afterAll(async () => {
  await db?.close();
});

let offset = 0;
async function change(status: "pending" | "stale" | "confirmed") {
  await db.pool.query(
    `INSERT INTO pending_lca_change (deployment_id, field, value_before, value_chat, csm_id, chat, status)
     SELECT d.id, 'csm_email', 'x@partner.example', 'y@partner.example', (SELECT id FROM csm ORDER BY id LIMIT 1), 'slack', $1::"LcaChangeStatus"
     FROM deployment d WHERE d.active ORDER BY d.id LIMIT 1 OFFSET $2`,
    [status, offset++],
  );
}

describe("enqueueStaleReminders", () => {
  it("writes nothing while no change is stale", async () => {
    await change("pending");
    await change("confirmed");
    expect(await enqueueStaleReminders(db.pool, { adminEmails: ADMINS, timeZone: TIME_ZONE, now: new Date("2026-12-01T09:00:00Z") })).toBe(0);
    expect(await reminders()).toEqual([]);
  });

  it("writes one notice per admin on a weekday, for every chat (channel NULL), and no second one that day", async () => {
    await change("stale");
    await change("stale");
    const tuesday = new Date("2026-12-01T09:00:00Z");
    expect(await enqueueStaleReminders(db.pool, { adminEmails: ADMINS, timeZone: TIME_ZONE, now: tuesday })).toBe(2);
    // Later that day (Moscow), from this or another instance: nothing more.
    expect(await enqueueStaleReminders(db.pool, { adminEmails: ADMINS, timeZone: TIME_ZONE, now: new Date("2026-12-01T20:00:00Z") })).toBe(0);
    const rows = await reminders();
    const { rows: admins } = await db.pool.query<{ id: number }>(`SELECT id FROM csm WHERE lower(email) = ANY($1::text[]) ORDER BY id`, [ADMINS.map((e) => e.toLowerCase())]);
    expect(rows.map((r) => [r.destination, r.channel, r.dedupe_key])).toEqual(admins.map((a) => [`csm:${a.id}`, null, `notice:lca-stale:2026-12-01:admin:${a.id}`]));
    expect(rows[0]!.payload.view.title.params.count).toBe(2);
    expect(rows[0]!.payload.view.text.params).toEqual({ stale: 2, pending: 1 });
  });

  it("writes again the next working day, and not at the weekend in the partner's zone", async () => {
    // 22:30 UTC on Friday is already Saturday in Moscow.
    expect(await enqueueStaleReminders(db.pool, { adminEmails: ADMINS, timeZone: TIME_ZONE, now: new Date("2026-12-04T22:30:00Z") })).toBe(0);
    expect(await enqueueStaleReminders(db.pool, { adminEmails: ADMINS, timeZone: TIME_ZONE, now: new Date("2026-12-06T12:00:00Z") })).toBe(0);
    expect(await enqueueStaleReminders(db.pool, { adminEmails: ADMINS, timeZone: TIME_ZONE, now: new Date("2026-12-02T09:00:00Z") })).toBe(2);
    expect((await reminders()).map((r) => r.dedupe_key.split(":")[2])).toEqual(["2026-12-01", "2026-12-01", "2026-12-02", "2026-12-02"]);
  });
});
