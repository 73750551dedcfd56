import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { loadDemo } from "../../src/demo/load.js";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { ingestFile, ingestRows, SnapshotRefused, type IngestSummary } from "../../src/ingest/ingest.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";
import { ok, row } from "../support/rows.js";
import { writeXlsxBomb } from "../support/xlsx-bomb.js";

const HOSTILE = fileURLToPath(new URL("../fixtures/ingest/hostile", import.meta.url));

const config = loadConfig({});
const options = (asOf: string) => ({ asOf, source: "test", stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: config.partner.domains, adminEmails: [] });
const dir = mkdtempSync(path.join(tmpdir(), "lca-ingest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe.each(DB_KINDS)("ingest on %s", (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await db.close();
  });

  const ingest = (rows: SnapshotRow[], asOf: string) => ingestRows(db.pool, ok(rows), options(asOf));
  const openAlerts = async () =>
    (await db.pool.query<{ kind: string; subject: string }>(`SELECT kind, subject FROM alert WHERE status = 'open' ORDER BY kind, subject`)).rows.map((r) => `${r.kind} ${r.subject}`);
  const outbox = async () => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message`)).rows[0]!.n;

  it("takes the first snapshot as the baseline: alerts open, nothing is pushed, nothing is new", async () => {
    const summary = await ingest([row({ stageEnteredOn: "2026-09-01" }), row({ useCase: "Campus Network Segmentation", ciscoContact: null })], "2026-11-20");
    expect(summary.baseline).toBe(true);
    expect(summary.useCaseDeployments).toEqual({ created: 2, updated: 0, removed: 0 });
    expect(summary.customers.created).toBe(1);
    expect(summary.alerts.opened).toMatchObject({ stalled: 1, missing_contact: 1, new_use_case: 0 });
    expect(await outbox()).toBe(0);
  });

  it("re-ingesting the same snapshot changes nothing and opens no alert", async () => {
    const rows = [row({ stageEnteredOn: "2026-09-01", partnerContacts: [{ name: null, email: "ops@northwind.example", barrier: "hard_bounce" }] })];
    await ingest(rows, "2026-11-20");
    const before = await db.pool.query(`SELECT * FROM use_case_deployment`);
    const again = await ingest(rows, "2026-11-20");
    expect(again.useCaseDeployments).toEqual({ created: 0, updated: 0, removed: 0 });
    expect(again.customers).toEqual({ created: 0, updated: 0, removed: 0 });
    expect(again.deployments).toEqual({ created: 0, updated: 0, removed: 0 });
    expect(again.contactsChanged).toBe(0);
    expect(total(again.alerts.opened) + total(again.alerts.resolved)).toBe(0);
    expect((await db.pool.query(`SELECT * FROM use_case_deployment`)).rows).toEqual(before.rows);
  });

  it("keeps a row naming a CSM outside the partner, but never makes them a CSM: unassigned, listed, the admins told", async () => {
    await db.pool.query(`INSERT INTO csm (email, name) VALUES ('admin@partner.example', 'Ada Admin')`);
    const outsiders = ["someone@other.example", "anna.petrova@partner-example.com", "x@partner.example@other.example"];
    const rows = [
      row({ rowNumber: 2 }),
      ...outsiders.map((email, i) => row({ rowNumber: 3 + i, deploymentId: `DPLOUT${i}`, csmEmail: email })),
      // A subdomain is the partner's own.
      row({ rowNumber: 6, deploymentId: "DPLSUB", csmEmail: "lee@emea.partner.example" }),
    ];
    const first = await ingestRows(db.pool, ok(rows), { ...options("2026-11-19"), adminEmails: ["admin@partner.example"] });
    expect(first.outsiders).toEqual({ count: 3, rows: outsiders.map((email, i) => ({ row: 3 + i, deploymentId: `DPLOUT${i}`, email })) });
    const csms = (await db.pool.query<{ email: string }>(`SELECT email FROM csm ORDER BY email`)).rows.map((r) => r.email);
    expect(csms).toEqual(["admin@partner.example", "anna.petrova@partner.example", "lee@emea.partner.example"]);
    const assigned = (await db.pool.query<{ deployment_id: string; assigned: boolean; lca: string }>(
      `SELECT deployment_id, assigned_csm_id IS NOT NULL AS assigned, lca_csm_email AS lca FROM deployment ORDER BY deployment_id`)).rows;
    expect(assigned.filter((d) => d.deployment_id.startsWith("DPLOUT")).map((d) => [d.assigned, d.lca])).toEqual(outsiders.map((e) => [false, e]));
    // One notice per admin for every chat the service runs (channel NULL: the dispatcher fans it out).
    const notices = (await db.pool.query<{ channel: string | null; payload: { view: { text: { params: { rows: string } } } } }>(
      `SELECT channel::text, payload FROM outbox_message WHERE kind = 'notice'`)).rows;
    expect(notices).toHaveLength(1);
    expect(notices[0]!.channel).toBeNull();
    expect(notices[0]!.payload.view.text.params.rows).toContain("3 (DPLOUT0: someone@other.example)");

    // Their new use cases raise alerts for nobody outside: only rows to partner people or team spaces.
    const next = await ingest([...rows, ...outsiders.map((email, i) => row({ rowNumber: 10 + i, deploymentId: `DPLOUT${i}`, csmEmail: email, useCase: "Campus Network Visibility", addedOn: "2026-11-20" }))], "2026-11-20");
    expect(next.alerts.opened.new_use_case).toBe(3);
    const destinations = (await db.pool.query<{ destination: string }>(`SELECT DISTINCT destination FROM outbox_message WHERE kind = 'alert'`)).rows;
    expect(destinations).toEqual([]); // no team space configured here, and nobody inside is assigned
  });

  it("lets a CSM back in, with their deployments, once PARTNER_DOMAINS is corrected", async () => {
    const rows = [row({ csmEmail: "lee@partner-two.example" })];
    // A PARTNER_DOMAINS that forgot the second domain: the CSM stays out, the deployment unassigned.
    await ingestRows(db.pool, ok(rows), options("2026-11-19"));
    await db.pool.query(`INSERT INTO csm (email, name) VALUES ('lee@partner-two.example', 'Lee') ON CONFLICT DO NOTHING`);
    await ingestRows(db.pool, ok(rows), options("2026-11-20"));
    expect((await db.pool.query(`SELECT active FROM csm WHERE email = 'lee@partner-two.example'`)).rows).toEqual([{ active: false }]);
    await ingestRows(db.pool, ok(rows), { ...options("2026-11-21"), partnerDomains: [...config.partner.domains, "partner-two.example"] });
    expect((await db.pool.query(`SELECT active FROM csm WHERE email = 'lee@partner-two.example'`)).rows).toEqual([{ active: true }]);
    const { rows: [deployment] } = await db.pool.query<{ email: string | null }>(`SELECT c.email FROM deployment d LEFT JOIN csm c ON c.id = d.assigned_csm_id`);
    expect(deployment!.email).toBe("lee@partner-two.example");
  });

  it("stops messaging a CSM the bot knew before the partner's domains left them out", async () => {
    await ingest([row({ csmEmail: "old@former-partner.example" })], "2026-11-19");
    // As if an earlier version had let them in:
    await db.pool.query(`INSERT INTO csm (email, name) VALUES ('legacy@other.example', 'Legacy')`);
    await db.pool.query(`UPDATE deployment SET assigned_csm_id = (SELECT id FROM csm WHERE email = 'legacy@other.example')`);
    await ingest([row({ csmEmail: "old@former-partner.example" })], "2026-11-20");
    expect((await db.pool.query(`SELECT active FROM csm WHERE email = 'legacy@other.example'`)).rows).toEqual([{ active: false }]);
    expect((await db.pool.query(`SELECT assigned_csm_id FROM deployment`)).rows).toEqual([{ assigned_csm_id: null }]);
  });

  it("raises new_use_case for a use case that appears after the baseline, and pushes it", async () => {
    await ingest([row()], "2026-11-19");
    const summary = await ingest([row(), row({ useCase: "Campus Network Visibility", addedOn: "2026-11-20" })], "2026-11-20");
    expect(summary.alerts.opened.new_use_case).toBe(1);
    expect(await outbox()).toBe(1); // to the assigned CSM (created from the snapshot, subscribed to all kinds)
    // Thirty days later it is no longer new.
    const later = await ingest([row(), row({ useCase: "Campus Network Visibility", addedOn: "2026-11-20" })], "2026-12-21");
    expect(later.alerts.resolved.new_use_case).toBe(1);
  });

  it("stalls above the threshold, resolves on a stage change, and notes progressions and regressions", async () => {
    await ingest([row({ stageEnteredOn: "2026-09-01" })], "2026-11-19");
    expect(await openAlerts()).toEqual([expect.stringMatching(/^stalled ucd:\d+$/)]);
    const progressed = await ingest([row({ stage: "use", stageEnteredOn: "2026-11-20" })], "2026-11-20");
    expect(progressed.stageProgressions).toBe(1);
    expect(progressed.alerts.resolved.stalled).toBe(1);
    expect(await openAlerts()).toEqual([]);
    const regressed = await ingest([row({ stage: "onboard", stageEnteredOn: "2026-11-21" })], "2026-11-21");
    expect(regressed.stageRegressions).toBe(1);
    expect(regressed.alerts.opened.regression).toBe(1);
    const reprogressed = await ingest([row({ stage: "implement", stageEnteredOn: "2026-11-22" })], "2026-11-22");
    expect(reprogressed.alerts.resolved.regression).toBe(1);
    const history = await db.pool.query(`SELECT from_stage, to_stage FROM stage_change ORDER BY id`);
    expect(history.rows.map((h) => `${h.from_stage}->${h.to_stage}`)).toEqual(["null->implement", "implement->use", "use->onboard", "onboard->implement"]);
  });

  it("sends a differently worded reminder for an untouched stalled alert after the interval, once", async () => {
    await ingest([row({ stageEnteredOn: "2026-09-01" })], "2026-11-10");
    expect((await ingest([row({ stageEnteredOn: "2026-09-01" })], "2026-11-16")).alerts.reminders).toBe(0);
    expect((await ingest([row({ stageEnteredOn: "2026-09-01" })], "2026-11-17")).alerts.reminders).toBe(1);
    expect((await ingest([row({ stageEnteredOn: "2026-09-01" })], "2026-11-18")).alerts.reminders).toBe(0);
    const { rows } = await db.pool.query(`SELECT kind, payload FROM outbox_message ORDER BY id`);
    expect(rows).toEqual([{ kind: "reminder", payload: { alertId: expect.any(Number), notice: 1 } }]);
  });

  it("resumes reminders when a snooze ends: snoozing is not a step with the customer", async () => {
    const stuck = row({ stageEnteredOn: "2026-09-01" });
    await ingest([stuck], "2026-11-10");
    await db.pool.query(`UPDATE alert SET last_action = 'snoozed', acted_at = '2026-11-11', snoozed_until = '2026-11-18', version = version + 1`);
    expect((await ingest([stuck], "2026-11-17")).alerts.reminders).toBe(0); // still snoozed
    expect((await ingest([stuck], "2026-11-18")).alerts.reminders).toBe(1);
  });

  it("postpones the follow-up by the interval after a step that keeps the recommendation open, and does not end it", async () => {
    const stuck = row({ stageEnteredOn: "2026-09-01" });
    await ingest([stuck], "2026-11-10");
    await db.pool.query(`UPDATE alert SET last_action = 'contacted_customer', acted_at = '2026-11-12', version = version + 1`);
    expect((await ingest([stuck], "2026-11-17")).alerts.reminders).toBe(0); // 7 days after the notice, 5 after the step
    expect((await ingest([stuck], "2026-11-19")).alerts.reminders).toBe(1);
  });

  it("raises one bounced_contact when every contact is barred (not missing_contact too), missing_contact when there is none; both resolve on a fix", async () => {
    await ingest([row(), row({ useCase: "Campus Network Segmentation" })], "2026-11-19");
    const barred = { name: "IT Director", email: "it.director@northwind.example", barrier: "hard_bounce" as const };
    const bounced = await ingest([row({ ciscoContact: barred }), row({ useCase: "Campus Network Segmentation", ciscoContact: null })], "2026-11-20");
    expect(bounced.alerts.opened).toMatchObject({ bounced_contact: 1, missing_contact: 1 });
    expect((await openAlerts()).map((a) => a.replace(/\d+/g, "N"))).toEqual(["bounced_contact ucd:N:cisco:N", "missing_contact ucd:N"]);
    const ops = { name: "Ops", email: "ops@northwind.example", barrier: "none" as const };
    const fixed = await ingest([row({ ciscoContact: barred, partnerContacts: [ops] }), row({ useCase: "Campus Network Segmentation", ciscoContact: null, partnerContacts: [ops] })], "2026-11-21");
    expect(fixed.alerts.resolved).toMatchObject({ bounced_contact: 1, missing_contact: 1 });
    expect(await openAlerts()).toEqual([]);
  });

  it("removes use cases that leave the snapshot and resolves their alerts", async () => {
    await ingest([row({ stageEnteredOn: "2026-09-01" }), row({ deploymentId: "DPL9X9", useCase: "Campus Network Visibility" })], "2026-11-19");
    const summary = await ingest([row({ deploymentId: "DPL9X9", useCase: "Campus Network Visibility" })], "2026-11-20");
    expect(summary.useCaseDeployments.removed).toBe(1);
    expect(summary.deployments.removed).toBe(1);
    expect(summary.alerts.resolved.stalled).toBe(1);
    const { rows } = await db.pool.query(`SELECT resolution FROM alert WHERE kind = 'stalled'`);
    expect(rows[0].resolution).toBe("removed");
  });

  it("raises nothing for excluded use cases or accounts, the account overriding the use case", async () => {
    await ingest([row({ stageEnteredOn: "2026-09-01", excluded: true, ciscoContact: null })], "2026-11-19");
    expect(await openAlerts()).toEqual([]);
    await ingest([row({ stageEnteredOn: "2026-09-01", ciscoContact: null })], "2026-11-20");
    expect((await openAlerts()).length).toBe(2);
    await db.pool.query(`UPDATE customer SET excluded = true`);
    const summary = await ingest([row({ stageEnteredOn: "2026-09-01", ciscoContact: null })], "2026-11-21");
    expect(total(summary.alerts.resolved)).toBe(2);
    expect(await openAlerts()).toEqual([]);
  });

  it("merges only the rows whose content changed: an unchanged use case and its contacts are not written at all", async () => {
    const other = { deploymentId: "DPL202Y555", ciscoContact: { name: "CIO", email: "cio@northwind.example", barrier: "none" as const } };
    await ingest([row(), row(other)], "2026-11-19");
    const versions = async () =>
      (await db.pool.query<{ deployment_id: string; ucd: string; contact: string; hash: string | null }>(`
        SELECT d.deployment_id, x.xmin::text AS ucd, k.xmin::text AS contact, x.content_hash AS hash
        FROM use_case_deployment x JOIN deployment d ON d.id = x.deployment_id JOIN contact k ON k.use_case_deployment_id = x.id
        ORDER BY d.deployment_id`)).rows;
    const before = await versions();
    expect(before.every((r) => r.hash !== null)).toBe(true);
    const summary = await ingest([row(), row({ ...other, ciscoContact: { ...other.ciscoContact, barrier: "hard_bounce" } })], "2026-11-20");
    const after = await versions();
    expect(after[0]).toEqual(before[0]); // DPL101X431: same content, same row versions, same hash
    expect(after[1]!.contact).not.toBe(before[1]!.contact);
    expect(after[1]!.hash).not.toBe(before[1]!.hash);
    expect(summary.contactsChanged).toBe(1);
    expect(summary.useCaseDeployments).toEqual({ created: 0, updated: 0, removed: 0 });
  });

  it("keeps a chat assignment and a chat-fixed contact until LCA's own value changes", async () => {
    await ingest([row()], "2026-11-19");
    const james = await db.prisma.csm.create({ data: { email: "james.lee@partner.example", name: "James Lee" } });
    await db.pool.query(`UPDATE deployment SET assigned_csm_id = $1`, [james.id]);
    await db.pool.query(`INSERT INTO contact (use_case_deployment_id, source, slot, email, updated_at) SELECT id, 'partner', 1, 'new@northwind.example', now() FROM use_case_deployment`);
    await ingest([row()], "2026-11-20");
    expect((await db.pool.query(`SELECT assigned_csm_id FROM deployment`)).rows[0].assigned_csm_id).toBe(james.id);
    expect((await db.pool.query(`SELECT email FROM contact WHERE source = 'partner'`)).rows).toEqual([{ email: "new@northwind.example" }]);
    await ingest([row({ csmEmail: "oliver.brown@partner.example" })], "2026-11-21");
    const { rows } = await db.pool.query(`SELECT c.email FROM deployment d JOIN csm c ON c.id = d.assigned_csm_id`);
    expect(rows[0].email).toBe("oliver.brown@partner.example");
  });

  it("refuses a bad file whole, naming every bad row, and leaves the database exactly as it was", async () => {
    await ingest([row()], "2026-11-19");
    const snapshotTables = async () => {
      const out: Record<string, unknown[]> = {};
      for (const table of ["customer", "deployment", "use_case_deployment", "contact", "alert", "outbox_message", "snapshot", "stage_change"]) {
        out[table] = (await db.pool.query(`SELECT * FROM ${table} ORDER BY 1`)).rows;
      }
      return out;
    };
    const before = await snapshotTables();
    const file = path.join(dir, `bad-${kind}.csv`);
    const good = row({ useCase: "Campus Network Visibility" });
    await writeSnapshot([good, { ...good, useCase: "Campus Network Segmentation" }], file);
    const text = (await import("node:fs")).readFileSync(file, "utf8").split("\n");
    text[2] = text[2]!.replace("Implement", "Implemented").replace("2026-11-01", "2026-13-45");
    writeFileSync(file, text.join("\n"));
    const error = await ingestFile(db.pool, file, { asOf: "2026-11-20", stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: config.partner.domains, adminEmails: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotRefused);
    const refused = error as SnapshotRefused;
    expect(refused.problemCount).toBe(2);
    expect(refused.problems.map((p) => [p.row, p.column, p.key])).toEqual([
      [3, "Lifecycle Stage", "invalidStage"],
      [3, "Stage Entered Date", "invalidDate"],
    ]);
    expect(await snapshotTables()).toEqual(before);
  });

  it.each([
    ["control-characters.csv", "ingest.refused"],
    ["long-cells.csv", "ingest.refused"],
    ["shapes.json", "ingest.refused"],
    ["cp1251.csv", "ingest.notUtf8"],
    ["utf16.csv", "ingest.utf16"],
    ["bomb.xlsx", "ingest.tooLarge"],
    ["lying-bomb.xlsx", "ingest.tooLarge"],
  ])("refuses the hostile %s (%s) and leaves the database exactly as it was", async (name, code) => {
    await ingest([row(), row({ useCase: "Campus Network Visibility", stageEnteredOn: "2026-08-01" })], "2026-11-19");
    const tables = async () => {
      const out: Record<string, unknown[]> = {};
      for (const table of ["customer", "deployment", "use_case_deployment", "contact", "alert", "outbox_message", "snapshot", "stage_change", "csm"]) {
        out[table] = (await db.pool.query(`SELECT * FROM ${table} ORDER BY 1`)).rows;
      }
      return out;
    };
    const before = await tables();
    let file = path.join(HOSTILE, name);
    if (name.endsWith(".xlsx")) {
      file = path.join(dir, `${kind}-${name}`);
      await writeXlsxBomb(file, { unpackedBytes: 2 * 1024 ** 3 - 1024 ** 2, lie: name.startsWith("lying") });
    }
    const error = await ingestFile(db.pool, file, { asOf: "2026-11-20", stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: config.partner.domains, adminEmails: [] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect(await tables()).toEqual(before);
  });

  it("never puts the demo data set over real data", async () => {
    await ingest([row()], "2026-11-19");
    await expect(loadDemo(db, config, "2026-11-20")).rejects.toMatchObject({ code: "demo.realData" });
    expect(await db.prisma.snapshot.count()).toBe(1);
  });

  it("lists at most the first 100 problems and counts the rest", async () => {
    const bad = Array.from({ length: 150 }, (_, i) => ({ ok: false as const, problems: [{ row: i + 2, column: "Deployment ID", key: "required" }] }));
    const error = (await ingestRows(db.pool, bad, options("2026-11-20")).catch((e: unknown) => e)) as SnapshotRefused;
    expect(error.problems).toHaveLength(100);
    expect(error.problemCount).toBe(150);
  });

  it.each(["csv", "json", "xlsx"])("reads a %s snapshot to the same model", async (ext) => {
    const rows = [row(), row({ useCase: "Campus Network Visibility", tags: ["Enterprise", "Strategic"], partnerContacts: [{ name: "Ops", email: "ops@northwind.example", barrier: "unsubscribed" }] })];
    const file = path.join(dir, `snapshot-${kind}.${ext}`);
    await writeSnapshot(rows, file);
    const summary: IngestSummary = await ingestFile(db.pool, file, { asOf: "2026-11-20", stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: config.partner.domains, adminEmails: [] });
    expect(summary.rowsRead).toBe(2);
    expect(summary.useCaseDeployments.created).toBe(2);
    const { rows: stored } = await db.pool.query(`SELECT tags, stage_entered_on FROM use_case_deployment ORDER BY id`);
    expect(stored).toEqual([{ tags: ["Enterprise"], stage_entered_on: "2026-11-01" }, { tags: ["Enterprise", "Strategic"], stage_entered_on: "2026-11-01" }]);
    expect(summary.alerts.opened.bounced_contact).toBe(1);
  });
});
