import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/actions/identity.js";
import { runHandler } from "../../src/actions/handlers/index.js";
import { reevaluateUseCases } from "../../src/alerts/engine.js";
import { sqlStore } from "../../src/db/store.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { ingestRows } from "../../src/ingest/ingest.js";
import { alertView, contactProblems } from "../../src/queries/queries.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";
import { handlerContext, testConfig } from "../support/memory-store.js";
import { ok, row } from "../support/rows.js";

const ANNA = "anna.petrova@partner.example";
// A reminder a day after the last notice, so "no reminder while waiting" could fail.
const options = (asOf: string) => ({
  asOf, source: `day-${asOf}`, stallThresholds: testConfig.alerts.stallThresholds, reminderDays: 1,
  partnerDomains: testConfig.partner.domains, adminEmails: [], writeback: { graceDays: 2, timeZone: "UTC" },
});
const bounced = { name: null, email: "ops@northwind.example", barrier: "hard_bounce" as const };
const fixed = { name: "New Ops", email: "new.ops@northwind.example", barrier: "none" as const };
const snapshot = (partner: SnapshotRow["partnerContacts"]) => ok([row({ partnerContacts: partner })]);

describe.each(DB_KINDS)("a contact alert fixed in chat on %s", (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
    // Baseline Friday, so the bounced alert exists before Monday's notices.
    await ingestRows(db.pool, snapshot([bounced]), options("2026-11-20"));
  });
  afterEach(async () => {
    await db.close();
  });

  const actor = async (): Promise<Actor> => {
    const { rows: [c] } = await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM csm WHERE email = $1`, [ANNA]);
    return { csmId: c!.id, name: c!.name, email: ANNA, locale: "en", languageKnown: true, timeZone: "UTC", isAdmin: false, channel: "slack" };
  };
  // The handler's clock is Monday 2026-11-23.
  const fixInChat = async () => {
    const { rows: [ucd] } = await db.pool.query<{ id: number; version: number }>(`SELECT id, version FROM use_case_deployment`);
    return runHandler(handlerContext(sqlStore(db.pool, reevaluateUseCases), { actor: await actor() }), "contact.update", { a: "contact.update", v: 1, id: ucd!.id, ev: ucd!.version, slot: 1, email: fixed.email, name: fixed.name });
  };
  const alerts = async () =>
    (await db.pool.query<{ kind: string; status: string; lca_wait: string | null; email: string | null; resolution: string | null }>(
      `SELECT kind, status::text, lca_wait::text, facts->>'email' AS email, resolution FROM alert ORDER BY id`)).rows;
  const reminders = async () => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message WHERE kind = 'reminder'`)).rows[0]!.n;
  const qctx = (today: string) => ({ prisma: db.prisma, today, stallThresholds: testConfig.alerts.stallThresholds, lcaUrl: (id: string) => id });

  it("waits for LCA without reminders, and resolves when the snapshot carries the fix", async () => {
    await fixInChat();
    // The step on the handler's Monday (the store stamps the wall clock): only the wait holds Tuesday's reminder.
    await db.pool.query(`UPDATE alert SET acted_at = '2026-11-23 11:02'`);
    expect(await alerts()).toEqual([{ kind: "bounced_contact", status: "open", lca_wait: "waiting", email: bounced.email, resolution: null }]);
    // Listed with the marker; the card says so.
    const list = await contactProblems(qctx("2026-11-23"), { filters: { tags: [], architectures: [], customers: [] }, page: 1, csmId: (await actor()).csmId, query: "contacts" });
    expect(list.items.map((i) => i.lcaWait)).toEqual(["waiting"]);
    const { rows: [a] } = await db.pool.query<{ id: number }>(`SELECT id FROM alert`);
    expect((await alertView(qctx("2026-11-23"), a!.id))?.lcaWait).toBe("waiting");

    // Tuesday: LCA still shows the bounced address (1 working day: still pending).
    const tuesday = await ingestRows(db.pool, snapshot([bounced]), options("2026-11-24"));
    expect(tuesday.changes).toEqual({ confirmed: 0, overridden: 0, stale: 0 });
    expect(await alerts()).toEqual([{ kind: "bounced_contact", status: "open", lca_wait: "waiting", email: bounced.email, resolution: null }]);
    expect(await reminders()).toBe(0);

    // Wednesday: the partner's upload reached LCA.
    const wednesday = await ingestRows(db.pool, snapshot([fixed]), options("2026-11-25"));
    expect(wednesday.changes.confirmed).toBe(2);
    expect(await alerts()).toEqual([{ kind: "bounced_contact", status: "resolved", lca_wait: "waiting", email: bounced.email, resolution: "contact_fixed" }]);
    expect(await reminders()).toBe(0);
  });

  it("comes back open with 'not yet in LCA' after the grace days, and the reminders resume", async () => {
    await fixInChat();
    // The SQL store stamps the step with the wall clock; put it on the handler's Monday.
    await db.pool.query(`UPDATE alert SET acted_at = '2026-11-23 11:02'`);
    await ingestRows(db.pool, snapshot([bounced]), options("2026-11-24"));
    expect(await reminders()).toBe(0);
    const wednesday = await ingestRows(db.pool, snapshot([bounced]), options("2026-11-25"));
    expect(wednesday.changes.stale).toBe(2);
    expect(await alerts()).toEqual([{ kind: "bounced_contact", status: "open", lca_wait: "upload_pending", email: bounced.email, resolution: null }]);
    expect(wednesday.alerts.reminders).toBe(1);
    expect(await reminders()).toBeGreaterThan(0);
    const { rows: [a] } = await db.pool.query<{ id: number }>(`SELECT id FROM alert`);
    expect((await alertView(qctx("2026-11-25"), a!.id))?.lcaWait).toBe("upload_pending");
  });

  // A card of the alert the outbox already delivered to Anna's Slack DM.
  const delivered = async () => {
    const { rows: [a] } = await db.pool.query<{ id: number; csm_id: number }>(`SELECT a.id, d.assigned_csm_id AS csm_id FROM alert a JOIN use_case_deployment x ON x.id = a.use_case_deployment_id JOIN deployment d ON d.id = x.deployment_id`);
    await db.pool.query(
      `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key, status, sent_at, external_id, conversation_id)
       VALUES ('slack', 'csm:' || $2::int, $2::int, $1::int, 'alert', json_build_object('alertId', $1::int, 'notice', 0), 'test:card:' || $1::int, 'sent', now(), '1700000000.000100', 'D0ANNA')`,
      [a!.id, a!.csm_id]);
    return a!.id;
  };
  const redraws = async () =>
    (await db.pool.query<{ alert_id: number; channel: string; external_id: string }>(
      `SELECT alert_id, channel::text, payload->>'externalId' AS external_id FROM outbox_message WHERE kind = 'refresh' ORDER BY id`)).rows;

  it.each([
    ["stale: open again, 'not yet in LCA'", [bounced], "2026-11-25", "upload_pending", "open"],
    ["confirmed: resolved", [fixed], "2026-11-24", "waiting", "resolved"],
    ["overridden: LCA's third value", [{ name: null, email: "third@northwind.example", barrier: "none" as const }], "2026-11-24", "waiting", "resolved"],
  ] as const)("redraws the delivered card through the outbox when the ingest decides the fix (%s)", async (_name, contacts, asOf, wait, status) => {
    await fixInChat();
    const alertId = await delivered();
    // Tuesday with LCA's old value: nothing decided, nothing redrawn.
    if (asOf !== "2026-11-24") {
      await ingestRows(db.pool, snapshot([bounced]), options("2026-11-24"));
      expect(await redraws()).toEqual([]);
    }
    const summary = await ingestRows(db.pool, snapshot([...contacts]), options(asOf));
    expect(summary.changes.confirmed + summary.changes.overridden + summary.changes.stale).toBeGreaterThan(0);
    expect((await alerts())[0]).toMatchObject({ status, lca_wait: wait });
    expect(await redraws()).toEqual([{ alert_id: alertId, channel: "slack", external_id: "1700000000.000100" }]);
    // The same snapshot again decides nothing and queues no second redraw.
    await ingestRows(db.pool, snapshot([...contacts]), { ...options(asOf), source: "again" });
    expect(await redraws()).toHaveLength(1);
  });

  it("is open again with LCA's value when LCA sets a third, barred one", async () => {
    await fixInChat();
    const third = { name: null, email: "third@northwind.example", barrier: "unsubscribed" as const };
    const summary = await ingestRows(db.pool, snapshot([third]), options("2026-11-24"));
    expect(summary.changes.overridden).toBe(1);
    expect(await alerts()).toEqual([
      { kind: "bounced_contact", status: "resolved", lca_wait: "waiting", email: bounced.email, resolution: "changed" },
      { kind: "bounced_contact", status: "open", lca_wait: null, email: third.email, resolution: null },
    ]);
  });

  it("writes one alert, bounced_contact, when every contact is barred", async () => {
    const cisco = { name: "IT Director", email: "it.director@northwind.example", barrier: "hard_bounce" as const };
    await ingestRows(db.pool, ok([row({ ciscoContact: cisco, partnerContacts: [bounced] }), row({ useCase: "Campus Network Segmentation", ciscoContact: cisco })]), options("2026-11-23"));
    const open = (await db.pool.query<{ kind: string; subject: string }>(`SELECT kind, subject FROM alert WHERE status = 'open' AND kind IN ('bounced_contact', 'missing_contact') ORDER BY id`)).rows;
    expect(open.map((r) => `${r.kind} ${r.subject.replace(/\d+/g, "N")}`)).toEqual(["bounced_contact ucd:N:partner:N", "bounced_contact ucd:N:cisco:N"]);
  });
});
