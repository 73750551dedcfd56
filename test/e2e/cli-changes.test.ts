import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import { reevaluateUseCases } from "../../src/alerts/engine.js";
import { sqlStore } from "../../src/db/store.js";
import { ingestRows } from "../../src/ingest/ingest.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { runCli } from "../support/cli.js";
import { handlerContext, testConfig } from "../support/memory-store.js";
import { ok, row } from "../support/rows.js";

/**
 * `lca-bot changes` as an operator runs it (the built CLI: `npm run build` first) on
 * PostgreSQL: the listing, --json, the upload workbook the bot then ingests as LCA's next
 * export, and bad arguments refused with exit code 2.
 */
let db: TestDatabase;
let env: Record<string, string>;
const dir = mkdtempSync(path.join(tmpdir(), "lca-cli-changes-"));
const ESC = "\u001b";
// Text from LCA reaches the terminal: a bidi override in a customer name must show as an escape.
const CUSTOMER = "Northwind \u202egnp.exe";

beforeAll(async () => {
  db = await createTestDatabase("postgres");
  env = { DATABASE_URL: db.url!, PARTNER_NAME: "Acme Networks", PARTNER_DOMAINS: "partner.example", LOG_LEVEL: "warn", TIME_ZONE: "UTC" };
  const options = { asOf: "2026-11-23", source: "monday", stallThresholds: testConfig.alerts.stallThresholds, reminderDays: 7, partnerDomains: ["partner.example"], adminEmails: [] };
  await ingestRows(db.pool, ok([row({ crPartyName: CUSTOMER, partnerContacts: [{ name: null, email: "ops@northwind.example", barrier: "hard_bounce" }] })]), options);
  const { rows: [anna] } = await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM csm WHERE email = 'anna.petrova@partner.example'`);
  const { rows: [ucd] } = await db.pool.query<{ id: number; version: number }>(`SELECT id, version FROM use_case_deployment`);
  const actor = { csmId: anna!.id, name: anna!.name, email: "anna.petrova@partner.example", locale: "en" as const, languageKnown: true, timeZone: "UTC", isAdmin: false, channel: "webex" as const };
  await runHandler(handlerContext(sqlStore(db.pool, reevaluateUseCases), { actor }), "contact.update", { a: "contact.update", v: 1, id: ucd!.id, ev: ucd!.version, slot: 1, email: "new.ops@northwind.example", name: undefined });
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("lca-bot changes", () => {
  it("lists what waits for LCA, every value from outside made printable", async () => {
    const result = await runCli(["changes"], env);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain("\u202e");
    expect(result.stdout).toContain("pending  DPL101X431 · Campus Network Automation  Northwind \\u202egnp.exe (300112345)  Partner Contact 1 Email: ops@northwind.example → new.ops@northwind.example  by Anna Petrova <anna.petrova@partner.example> on webex, 2026-11-23T11:02:00Z");
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("answers --json with every field of a change", async () => {
    const result = await runCli(["changes", "--json"], env);
    expect(result.code).toBe(0);
    const { changes } = JSON.parse(result.stdout) as { changes: unknown[] };
    expect(changes).toEqual([expect.objectContaining({
      status: "pending", deploymentId: "DPL101X431", crPartyId: "300112345", customer: CUSTOMER, field: "partner_contact_1_email", column: "Partner Contact 1 Email",
      before: "ops@northwind.example", chat: "new.ops@northwind.example", by: { email: "anna.petrova@partner.example", name: "Anna Petrova" }, chatName: "webex", at: "2026-11-23T11:02:00Z",
      useCase: { architecture: "Networking", solutionDomain: "Campus Network", name: "Campus Network Automation" },
    })]);
  });

  it.each([
    [["changes", "--xlsx", "changes.csv"], "--xlsx needs a file name ending in .xlsx"],
    [["changes", "--csv", "changes.xlsx"], "--csv needs a file name ending in .csv"],
    [["changes", "--xlsx", "/nonexistent-folder/x/changes.xlsx"], "--xlsx: the folder of /nonexistent-folder/x/changes.xlsx does not exist"],
    [["changes", "--xlsx"], "Option '--xlsx <value>' argument missing"],
    [["changes", "--bogus"], "Unknown option '--bogus'"],
    [["changes", "extra"], "Unexpected argument 'extra'"],
  ])("refuses %j with exit code 2 and a clear message", async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a folder as the file, even one named like a workbook", async () => {
    const folder = path.join(dir, "folder.xlsx");
    mkdirSync(folder);
    const result = await runCli(["changes", "--xlsx", folder, "--json"], env);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: "usage", message: `--xlsx: ${folder} is a folder` } });
  });

  it("writes the workbook and the CSV; the next export built from it confirms the change", async () => {
    const xlsx = path.join(dir, "changes.xlsx");
    const csv = path.join(dir, "changes.csv");
    const written = await runCli(["changes", "--xlsx", xlsx, "--csv", csv], env);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(`Wrote 1 use-case row (1 pending or stale change) to ${xlsx} and ${csv}: upload the .xlsx to LCA.`);
    expect(existsSync(xlsx)).toBe(true);
    const lines = readFileSync(csv, "utf8").replace(/^\ufeff/, "").trim().split("\r\n");
    expect(lines[0]).toBe("CR Party ID,CR Party Name,CXBU,Deployment ID,Install Site,Serial Number,Contract Number,Architecture,Solution Domain,Use Case,Lifecycle Stage,Stage Entered Date,Use Case Added Date,Telemetry,Digital Customer Consent,Adoption Partner,EA,CPI Eligible,Renewal Date,CSM Email,Cisco Contact Name,Cisco Contact Email,Cisco Contact Delivery Barrier,Partner Contact 1 Name,Partner Contact 1 Email,Partner Contact 1 Delivery Barrier,Partner Contact 2 Name,Partner Contact 2 Email,Partner Contact 2 Delivery Barrier,Partner-Provided Segmentation Tag,Excluded");
    expect(lines[1]).toContain(",new.ops@northwind.example,None,");

    const ingested = await runCli(["ingest", xlsx, "--as-of", "2026-11-24", "--json"], env);
    expect(ingested.code).toBe(0);
    expect(JSON.parse(ingested.stdout)).toMatchObject({ changes: { confirmed: 1, overridden: 0, stale: 0 } });
    const text = await runCli(["ingest", csv, "--as-of", "2026-11-25"], env);
    expect(text.stdout).toContain("  chat changes for LCA: 0 confirmed, 0 overridden by LCA, 0 stale");

    expect((await runCli(["changes"], env)).stdout.trim()).toBe("Nothing waits for LCA: no pending or stale changes.");
    const all = await runCli(["changes", "--all"], env);
    expect(all.stdout).toMatch(/^#\d+ confirmed {2}DPL101X431/);
    expect(all.stdout).not.toContain(ESC);
  });
});
