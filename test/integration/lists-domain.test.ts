import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { ingestRows } from "../../src/ingest/ingest.js";
import { addedRecently, contactProblems, findCustomer, mine, stalled, useCaseDetail, type QueryContext } from "../../src/queries/queries.js";
import type { Filters } from "../../src/commands/types.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";
import { ok, row } from "../support/rows.js";

/**
 * The lists on both databases after a real ingest: excluded use cases appear nowhere, the
 * cpi filter, an admin's whole-partner and unassigned lists, and CPI and the lead flag as
 * stored from the snapshot.
 */

const config = loadConfig({ PARTNER_DOMAINS: "partner.example" });
const options = { asOf: "2026-11-20", source: "test", stallThresholds: config.alerts.stallThresholds, reminderDays: 7, partnerDomains: ["partner.example"], adminEmails: [] };
const none: Filters = { tags: [], architectures: [], customers: [] };
const cpi: Filters = { ...none, cpi: true };
const ANNA = "anna.petrova@partner.example";
const JAMES = "james.lee@partner.example";
const stuck = "2026-08-01";

const ROWS: SnapshotRow[] = [
  // Anna's deployment: two stalled use cases (one CPI-eligible), one excluded and new.
  row({ deploymentId: "DPL1A1", useCase: "Campus Network Automation", stageEnteredOn: stuck, cpiEligible: true, addedOn: "2026-11-25" }),
  row({ deploymentId: "DPL1A1", useCase: "Campus Network Assurance", stageEnteredOn: stuck, cpiEligible: false }),
  row({ deploymentId: "DPL1A1", useCase: "Campus Network Segmentation", stageEnteredOn: stuck, cpiEligible: true, addedOn: "2026-11-25", excluded: true }),
  // Nobody's: stalled, no contact, CPI left empty.
  row({ deploymentId: "DPL2B2", crPartyId: "300200000", crPartyName: "Contoso", csmEmail: null, stageEnteredOn: stuck, cpiEligible: null, ciscoContact: null }),
  // James's, and one named to someone outside the partner (unassigned, and not the partner's lead).
  row({ deploymentId: "DPL3C3", crPartyId: "300300000", crPartyName: "Fabrikam", csmEmail: JAMES, stageEnteredOn: stuck, cpiEligible: true, ciscoContact: null }),
  row({ deploymentId: "DPL4D4", crPartyId: "300400000", crPartyName: "Litware", csmEmail: "someone@elsewhere.example", stageEnteredOn: stuck }),
];

describe.each(DB_KINDS)("lists after an ingest on %s", (kind) => {
  let db: TestDatabase;
  let ctx: QueryContext;
  let anna: number;
  const list = { filters: none, page: 1, query: "q" };
  const deployments = (view: { items: { deploymentId: string; useCase: { name: string } }[] }) => view.items.map((i) => `${i.deploymentId} ${i.useCase.name}`).sort();

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await db.prisma.csm.create({ data: { email: JAMES, name: "James Lee" } });
    await db.prisma.csm.create({ data: { email: ANNA, name: "Anna Petrova" } });
    await ingestRows(db.pool, ok(ROWS), options);
    anna = (await db.prisma.csm.findUniqueOrThrow({ where: { email: ANNA } })).id;
    ctx = { prisma: db.prisma, today: "2026-12-01", stallThresholds: config.alerts.stallThresholds, lcaUrl: (id) => `https://lca.example/?d=${id}` };
  });
  afterAll(async () => {
    await db?.close();
  });

  it("stores CPI Eligible as LCA gave it (empty stays empty) and fills the lead flag from LCA's partner CSM", async () => {
    const cpiBy = Object.fromEntries((await db.prisma.useCaseDeployment.findMany({ include: { deployment: true, useCase: true } })).map((u) => [`${u.deployment.deploymentId} ${u.useCase.name}`, u.cpiEligible]));
    expect(cpiBy).toMatchObject({ "DPL1A1 Campus Network Automation": true, "DPL1A1 Campus Network Assurance": false, "DPL2B2 Campus Network Automation": null });
    const lead = Object.fromEntries((await db.prisma.deployment.findMany()).map((d) => [d.deploymentId, d.lead]));
    expect(lead).toEqual({ DPL1A1: true, DPL2B2: false, DPL3C3: true, DPL4D4: false });
  });

  it("lists no excluded use case in new, mine, stalled or the customer card", async () => {
    expect(deployments(await addedRecently(ctx, { ...list, days: 30 }))).toEqual(["DPL1A1 Campus Network Automation"]);
    expect(deployments(await mine(ctx, { ...list, csmId: anna }))).toEqual(["DPL1A1 Campus Network Assurance", "DPL1A1 Campus Network Automation"]);
    expect(deployments(await stalled(ctx, { ...list, csmId: anna }))).toEqual(["DPL1A1 Campus Network Assurance", "DPL1A1 Campus Network Automation"]);
    const customer = await findCustomer(ctx, "Northwind Logistics");
    if (!("found" in customer)) throw new Error("customer expected");
    expect(customer.found.deployments.flatMap((d) => d.useCases.map((u) => u.name)).sort()).toEqual(["Campus Network Assurance", "Campus Network Automation"]);
    expect(customer.found.deployments[0]).toMatchObject({ deploymentId: "DPL1A1", lead: true });
  });

  it("lists only CPI-eligible use cases with the cpi filter", async () => {
    expect(deployments(await stalled(ctx, { ...list, filters: cpi, csmId: anna }))).toEqual(["DPL1A1 Campus Network Automation"]);
    expect(deployments(await mine(ctx, { ...list, filters: cpi, csmId: anna }))).toEqual(["DPL1A1 Campus Network Automation"]);
    expect(deployments(await addedRecently(ctx, { ...list, filters: cpi, days: 30 }))).toEqual(["DPL1A1 Campus Network Automation"]);
  });

  it("lists the whole partner without a CSM, and nobody's deployments with unassigned", async () => {
    expect(deployments(await stalled(ctx, list))).toEqual([
      "DPL1A1 Campus Network Assurance", "DPL1A1 Campus Network Automation", "DPL2B2 Campus Network Automation", "DPL3C3 Campus Network Automation", "DPL4D4 Campus Network Automation",
    ]);
    expect(deployments(await stalled(ctx, { ...list, unassigned: true }))).toEqual(["DPL2B2 Campus Network Automation", "DPL4D4 Campus Network Automation"]);
    expect(deployments(await stalled(ctx, { ...list, filters: cpi }))).toEqual(["DPL1A1 Campus Network Automation", "DPL3C3 Campus Network Automation", "DPL4D4 Campus Network Automation"]);
    expect(deployments(await contactProblems(ctx, list))).toEqual(["DPL2B2 Campus Network Automation", "DPL3C3 Campus Network Automation"]);
    expect(deployments(await contactProblems(ctx, { ...list, unassigned: true }))).toEqual(["DPL2B2 Campus Network Automation"]);
    expect(deployments(await contactProblems(ctx, { ...list, csmId: anna }))).toEqual([]);
  });

  it("shows CPI and the lead flag on the use-case detail", async () => {
    const id = (await db.prisma.useCaseDeployment.findFirstOrThrow({ where: { deployment: { deploymentId: "DPL1A1" }, useCase: { name: "Campus Network Automation" } } })).id;
    expect(await useCaseDetail(ctx, id)).toMatchObject({ useCase: { cpiEligible: true }, deployment: { lead: true } });
  });

  it("hides a whole excluded account from every list (account exclusion overrides the use cases')", async () => {
    await db.prisma.customer.update({ where: { crPartyId: "300300000" }, data: { excluded: true } });
    try {
      expect(deployments(await stalled(ctx, list))).not.toContain("DPL3C3 Campus Network Automation");
      expect(deployments(await contactProblems(ctx, list))).toEqual(["DPL2B2 Campus Network Automation"]);
    } finally {
      await db.prisma.customer.update({ where: { crPartyId: "300300000" }, data: { excluded: false } });
    }
  });
});
