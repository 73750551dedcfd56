import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/actions/identity.js";
import { runHandler } from "../../src/actions/handlers/index.js";
import { reevaluateUseCases } from "../../src/alerts/engine.js";
import { sqlStore } from "../../src/db/store.js";
import { EXPORT_COLUMNS } from "../../src/demo/write-snapshot.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { ingestFile, ingestRows } from "../../src/ingest/ingest.js";
import { collectWritebackGauge, writebackChanges } from "../../src/metrics.js";
import { listChanges } from "../../src/writeback/changes.js";
import { useCaseDetail } from "../../src/queries/queries.js";
import { partnerTags, uploadRows, writeUploadCsv, writeUploadXlsx } from "../../src/writeback/workbook.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";
import { handlerContext, testConfig } from "../support/memory-store.js";
import { replies } from "../support/handler-world.js";
import { ok, row } from "../support/rows.js";

const dir = mkdtempSync(path.join(tmpdir(), "lca-writeback-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ANNA = "anna.petrova@partner.example";
const JAMES = "james.lee@partner.example";
const options = (asOf: string) => ({
  asOf, source: `day-${asOf}`, stallThresholds: testConfig.alerts.stallThresholds, reminderDays: 7,
  partnerDomains: testConfig.partner.domains, adminEmails: [], writeback: { graceDays: 2, timeZone: "UTC" },
});
// LCA's data on Monday 2026-11-23: a bounced partner-provided contact in slot 1, Anna the CSM.
const bounced = { name: null, email: "ops@northwind.example", barrier: "hard_bounce" as const };
const baseline = (overrides: Partial<SnapshotRow> = {}) => [
  row({ partnerContacts: [bounced], ...overrides }),
  row({ useCase: "Campus Network Segmentation", ...overrides }),
];

describe.each(DB_KINDS)("LCA write-back on %s", (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
    await ingestRows(db.pool, ok(baseline()), options("2026-11-23"));
    await db.pool.query(`INSERT INTO csm (email, name) VALUES ($1, 'James Lee')`, [JAMES]);
  });
  afterEach(async () => {
    await db.close();
  });

  const actor = async (email: string): Promise<Actor> => {
    const { rows: [c] } = await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM csm WHERE email = $1`, [email]);
    return { csmId: c!.id, name: c!.name, email, locale: "en", languageKnown: true, timeZone: "UTC", isAdmin: email === JAMES, channel: "slack" };
  };
  // The handlers as a click runs them, on the SQL store; the clock is Monday 2026-11-23.
  const ctx = async (email: string) => handlerContext(sqlStore(db.pool, reevaluateUseCases), { actor: await actor(email) });
  const automation = async () =>
    (await db.pool.query<{ id: number; version: number }>(`SELECT x.id, x.version FROM use_case_deployment x JOIN use_case u ON u.id = x.use_case_id WHERE u.name = 'Campus Network Automation'`)).rows[0]!;
  const fixContact = async () => {
    const ucd = await automation();
    return runHandler(await ctx(ANNA), "contact.update", { a: "contact.update", v: 1, id: ucd.id, ev: ucd.version, slot: 1, email: "New.Ops@Northwind.example", name: "New Ops" });
  };
  // The use-case card's contacts: which are marked as waiting for LCA.
  const waiting = async () =>
    (await useCaseDetail({ prisma: db.prisma, today: "2026-11-24", stallThresholds: testConfig.alerts.stallThresholds, lcaUrl: (id) => id }, (await automation()).id))!
      .contacts.filter((c) => c.source === "partner").map((c) => [c.source, c.slot, c.waitingForLca]);
  const slot1 = async () => (await db.pool.query(`SELECT c.email, c.name, c.lca_email FROM contact c WHERE c.source = 'partner' AND c.slot = 1`)).rows[0];
  const statuses = async () => (await db.pool.query<{ field: string; status: string }>(`SELECT field, status::text FROM pending_lca_change ORDER BY id`)).rows.map((r) => `${r.field} ${r.status}`);

  it("round trip: a chat change, the upload workbook, a snapshot built from it: confirmed", async () => {
    expect(replies(await fixContact())[0]).toMatchObject({ view: { outcome: { key: "contactSavedPending", params: { email: "new.ops@northwind.example" } } } });
    const assigned = await runHandler(await ctx(JAMES), "assign", { command: { kind: "assign", deploymentId: "DPL101X431", to: { email: JAMES } }, text: "assign DPL101X431 to james" } as never);
    expect(replies(assigned)[0]).toMatchObject({ view: { outcome: { key: "assignedPending", params: { name: "James Lee" } } } });
    expect(await statuses()).toEqual(["partner_contact_1_email pending", "partner_contact_1_name pending", "csm_email pending"]);
    expect(await waiting()).toEqual([["partner", 1, true]]);
    expect((await listChanges(db.pool, { all: false })).map((c) => [c.column, c.before, c.chat, c.by.email, c.chatName, c.useCase?.name ?? null])).toEqual([
      ["Partner Contact 1 Email", "ops@northwind.example", "new.ops@northwind.example", ANNA, "slack", "Campus Network Automation"],
      ["Partner Contact 1 Name", null, "New Ops", ANNA, "slack", "Campus Network Automation"],
      ["CSM Email", ANNA, JAMES, JAMES, "slack", null],
    ]);

    const file = path.join(dir, `${kind}-upload.xlsx`);
    const rows = await uploadRows(db.pool);
    await writeUploadXlsx(rows, await partnerTags(db.pool), file);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.getWorksheet("Use Cases")!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([...EXPORT_COLUMNS]);
    // Both use cases of the deployment (the CSM is the deployment's), the chat values in place.
    expect(sheet.rowCount).toBe(3);
    const cell = (r: number, column: string) => sheet.getRow(r).getCell(EXPORT_COLUMNS.indexOf(column as never) + 1).value;
    expect([cell(2, "Use Case"), cell(2, "Partner Contact 1 Email"), cell(2, "Partner Contact 1 Name"), cell(2, "CSM Email"), cell(3, "CSM Email")])
      .toEqual(["Campus Network Automation", "new.ops@northwind.example", "New Ops", JAMES, JAMES]);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(["Use Cases", "Partner-Provided Segmentation T"]);
    await writeUploadCsv(rows, path.join(dir, `${kind}-upload.csv`));

    // The partner uploads it; LCA's next export carries it. The bot reads its own file as that export.
    const summary = await ingestFile(db.pool, file, options("2026-11-24"));
    expect(summary.changes).toEqual({ confirmed: 3, overridden: 0, stale: 0 });
    expect(await statuses()).toEqual(["partner_contact_1_email confirmed", "partner_contact_1_name confirmed", "csm_email confirmed"]);
    expect(await slot1()).toEqual({ email: "new.ops@northwind.example", name: "New Ops", lca_email: "new.ops@northwind.example" });
    expect(await listChanges(db.pool, { all: false })).toEqual([]);
    expect(await waiting()).toEqual([["partner", 1, false]]);
    await collectWritebackGauge(db.pool);
    const gauge = Object.fromEntries((await writebackChanges.get()).values.map((v) => [v.labels.status, v.value]));
    expect(gauge).toEqual({ pending: 0, confirmed: 3, overridden: 0, stale: 0, superseded: 0 });
    // And the CSV carries the same rows, readable by the bot too.
    const again = await ingestFile(db.pool, path.join(dir, `${kind}-upload.csv`), options("2026-11-25"));
    expect(again.changes).toEqual({ confirmed: 0, overridden: 0, stale: 0 });
    expect(again.useCaseDeployments).toEqual({ created: 0, updated: 0, removed: 0 });
  });

  it("round trip: a contact added in chat for slot 2 while slot 1 is free lands in slot 1, where LCA's export puts it back: confirmed", async () => {
    const segmentation = (await db.pool.query<{ id: number; version: number }>(`SELECT x.id, x.version FROM use_case_deployment x JOIN use_case u ON u.id = x.use_case_id WHERE u.name = 'Campus Network Segmentation'`)).rows[0]!;
    const added = await runHandler(await ctx(ANNA), "contact.update", { a: "contact.update", v: 1, id: segmentation.id, ev: segmentation.version, slot: 2, email: "seg.lead@northwind.example", name: "Seg Lead" });
    expect(replies(added)[0]).toMatchObject({ view: { outcome: { key: "contactSavedPending" } } });
    expect(await statuses()).toEqual(["partner_contact_1_email pending", "partner_contact_1_name pending"]);
    const file = path.join(dir, `${kind}-slot.xlsx`);
    await writeUploadXlsx(await uploadRows(db.pool), await partnerTags(db.pool), file);
    const summary = await ingestFile(db.pool, file, options("2026-11-24"));
    expect(summary.changes).toEqual({ confirmed: 2, overridden: 0, stale: 0 });
    expect(await statuses()).toEqual(["partner_contact_1_email confirmed", "partner_contact_1_name confirmed"]);
    const { rows: contacts } = await db.pool.query(`SELECT slot, email, name, lca_email FROM contact WHERE use_case_deployment_id = $1 AND source = 'partner' ORDER BY slot`, [segmentation.id]);
    expect(contacts).toEqual([{ slot: 1, email: "seg.lead@northwind.example", name: "Seg Lead", lca_email: "seg.lead@northwind.example" }]);
    expect(await listChanges(db.pool, { all: false })).toEqual([]);
  });

  it("a chat contact in slot 2 that LCA carries in slot 1 (its slot 1 emptied) is confirmed, one contact, not two", async () => {
    const ucd = await automation();
    await runHandler(await ctx(ANNA), "contact.update", { a: "contact.update", v: 1, id: ucd.id, ev: ucd.version, email: "second@northwind.example", name: "Second Person" });
    expect(await statuses()).toEqual(["partner_contact_2_email pending", "partner_contact_2_name pending"]);
    // LCA dropped the bounced contact 1; the added one comes back alone, so read as slot 1.
    const next = baseline();
    next[0] = { ...next[0]!, partnerContacts: [{ name: "Second Person", email: "second@northwind.example", barrier: "none" }] };
    const summary = await ingestRows(db.pool, ok(next), options("2026-11-24"));
    expect(summary.changes).toEqual({ confirmed: 2, overridden: 0, stale: 0 });
    const { rows } = await db.pool.query(`SELECT slot, email, name, lca_email FROM contact WHERE use_case_deployment_id = $1 AND source = 'partner' ORDER BY slot`, [ucd.id]);
    expect(rows).toEqual([{ slot: 1, email: "second@northwind.example", name: "Second Person", lca_email: "second@northwind.example" }]);
  });

  it("LCA's third value overrides the chat value: LCA's is kept and the CSM who made the change is told", async () => {
    await fixContact();
    await runHandler(await ctx(JAMES), "assign", { command: { kind: "assign", deploymentId: "DPL101X431", to: "me" }, text: "assign DPL101X431" } as never);
    const third = { name: "Third Person", email: "third@northwind.example", barrier: "none" as const };
    const oliver = "oliver.brown@partner.example";
    const next = baseline({ csmEmail: oliver });
    next[0] = { ...next[0]!, partnerContacts: [third] };
    const summary = await ingestRows(db.pool, ok(next), options("2026-11-24"));
    expect(summary.changes).toEqual({ confirmed: 0, overridden: 3, stale: 0 });
    expect(await statuses()).toEqual(["partner_contact_1_email overridden", "partner_contact_1_name overridden", "csm_email overridden"]);
    expect(await slot1()).toEqual({ email: "third@northwind.example", name: "Third Person", lca_email: "third@northwind.example" });
    // LCA's CSM, not the chat's: the merge takes LCA's value once the change is decided.
    const { rows: [assignee] } = await db.pool.query(`SELECT m.email FROM deployment d JOIN csm m ON m.id = d.assigned_csm_id`);
    expect(assignee).toEqual({ email: oliver });
    const anna = await actor(ANNA);
    const jamesId = (await actor(JAMES)).csmId;
    const { rows: all } = await db.pool.query(`SELECT channel, destination, csm_id, kind, payload FROM outbox_message WHERE kind = 'notice' ORDER BY csm_id`);
    // Each CSM is told of their own changes only.
    expect(all.map((n) => [n.csm_id, n.payload.view.title.params.count])).toEqual([[anna.csmId, 2], [jamesId, 1]].sort((a, b) => a[0]! - b[0]!));
    expect(all.find((n) => n.csm_id === jamesId).payload.view.text.params.changes).toBe(`DPL101X431 · CSM Email: ${JAMES} → ${oliver}`);
    const notices = all.filter((n) => n.csm_id === anna.csmId);
    expect(notices[0]).toMatchObject({ channel: null, destination: `csm:${anna.csmId}`, csm_id: anna.csmId, payload: { card: "notice", view: { tone: "warning", title: { key: "chat.writeback.overriddenTitle", params: { count: 2 } }, text: { key: "chat.writeback.overridden" } } } });
    expect(notices[0].payload.view.text.params.changes).toBe(
      "DPL101X431 · Campus Network Automation · Partner Contact 1 Email: new.ops@northwind.example → third@northwind.example; DPL101X431 · Campus Network Automation · Partner Contact 1 Name: New Ops → Third Person",
    );
    expect(summary.outboxRows).toBeGreaterThanOrEqual(1);
  });

  it("keeps a name changed in chat while LCA's row changes elsewhere, until LCA decides it", async () => {
    const kept = { name: "Old Name", email: "kept@northwind.example", barrier: "none" as const };
    const day = (asOf: string, name: string) => ingestRows(db.pool, ok([row({ stage: asOf === "2026-11-23" ? "implement" : "use", stageEnteredOn: "2026-11-01", partnerContacts: [{ ...kept, name }] })]), options(asOf));
    await day("2026-11-23", "Old Name");
    const ucd = await automation();
    await runHandler(await ctx(ANNA), "contact.update", { a: "contact.update", v: 1, id: ucd.id, ev: ucd.version, slot: 1, email: kept.email, name: "New Name" });
    expect(await statuses()).toEqual(["partner_contact_1_name pending"]);
    await day("2026-11-24", "Old Name");
    expect(await slot1()).toMatchObject({ email: kept.email, name: "New Name" });
    const decided = await day("2026-11-25", "LCA Name");
    expect(decided.changes.overridden).toBe(1);
    expect(await slot1()).toMatchObject({ email: kept.email, name: "LCA Name" });
  });

  it("counts the grace days from the day of the change in the partner's time zone", async () => {
    const { rows: [d] } = await db.pool.query<{ id: number }>(`SELECT id FROM deployment`);
    const author = { csmId: (await actor(JAMES)).csmId, channel: "webex" as const };
    // 23:30 UTC on Monday is already Tuesday in Berlin: by Wednesday one working day has passed there, two in UTC.
    await sqlStore(db.pool, reevaluateUseCases).transaction((tx) => tx.recordPendingLcaChange({ subject: { deploymentRowId: d!.id }, field: "csm_email", valueChat: JAMES, author, at: new Date("2026-11-23T23:30:00Z") }));
    const berlin = await ingestRows(db.pool, ok(baseline()), { ...options("2026-11-25"), writeback: { graceDays: 2, timeZone: "Europe/Berlin" } });
    expect(berlin.changes.stale).toBe(0);
    const utc = await ingestRows(db.pool, ok(baseline()), { ...options("2026-11-25"), source: "again", writeback: { graceDays: 2, timeZone: "UTC" } });
    expect(utc.changes.stale).toBe(1);
  });

  it("a change LCA does not show is kept over changed rows, and turns stale after the grace days", async () => {
    await fixContact();
    // Tuesday: LCA moved the stage (the row changed) but still has the bounced address.
    const tuesday = await ingestRows(db.pool, ok(baseline({ stage: "use", stageEnteredOn: "2026-11-24" })), options("2026-11-24"));
    expect(tuesday.changes).toEqual({ confirmed: 0, overridden: 0, stale: 0 });
    expect(await slot1()).toEqual({ email: "new.ops@northwind.example", name: "New Ops", lca_email: "ops@northwind.example" });
    // Wednesday: two working days after Monday's change, still LCA's old value.
    const wednesday = await ingestRows(db.pool, ok(baseline({ stage: "use", stageEnteredOn: "2026-11-24" })), options("2026-11-25"));
    expect(wednesday.changes).toEqual({ confirmed: 0, overridden: 0, stale: 2 });
    expect(await statuses()).toEqual(["partner_contact_1_email stale", "partner_contact_1_name stale"]);
    expect(await slot1()).toMatchObject({ email: "new.ops@northwind.example", name: "New Ops" });
    // Stale is reported once, and a stale change still goes into the workbook.
    const thursday = await ingestRows(db.pool, ok(baseline({ stage: "use", stageEnteredOn: "2026-11-24" })), options("2026-11-26"));
    expect(thursday.changes.stale).toBe(0);
    expect((await uploadRows(db.pool)).map((r) => [r.useCase, r.partner1Email])).toEqual([["Campus Network Automation", "new.ops@northwind.example"]]);
    // A stale change still confirms when LCA finally shows it.
    const friday = await ingestRows(db.pool, ok(baseline({ stage: "use", stageEnteredOn: "2026-11-24", partnerContacts: [{ name: "New Ops", email: "new.ops@northwind.example", barrier: "none" }] })), options("2026-11-27"));
    expect(friday.changes).toEqual({ confirmed: 2, overridden: 0, stale: 0 });
  });
});
