import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogKey, USE_CASE_CATALOG } from "../../src/domain/catalog.js";
import { addDays, daysBetween, isIsoDate } from "../../src/domain/dates.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { STAGES } from "../../src/domain/stages.js";
import { DEMO_CSMS, demoPortfolio } from "../../src/demo/demo-data.js";
import {
  DEFAULT_TAGS,
  generatePortfolio,
  generateRowStream,
  hasUsableContact,
  isStalled,
  mulberry32,
  nextDay,
  rowKey,
  type Portfolio,
  type PortfolioOptions,
} from "../../src/demo/portfolio.js";
import { EXPORT_COLUMNS, writeSnapshot } from "../../src/demo/write-snapshot.js";

// The shared sample export, copied into the repository: tests never read outside it.
const SAMPLE = fileURLToPath(new URL("../fixtures/ingest/sample.csv", import.meta.url));
const ASOF = "2026-11-20";
const PARTNER_DOMAIN = "partner.example";
const CSMS = ["anna.petrova@partner.example", "james.lee@partner.example", "sam.ng@partner.example"];

function options(overrides: Partial<PortfolioOptions> = {}): PortfolioOptions {
  return { seed: 42, customers: 1500, asOf: ASOF, csmEmails: CSMS, partnerDomain: PARTNER_DOMAIN, ...overrides };
}

function share(rows: readonly SnapshotRow[], predicate: (row: SnapshotRow) => boolean): number {
  return rows.filter(predicate).length / rows.length;
}

function withoutRowNumber(row: SnapshotRow): Omit<SnapshotRow, "rowNumber"> {
  const { rowNumber: _ignored, ...rest } = row;
  return rest;
}

const catalogKeys = new Set(USE_CASE_CATALOG.map(catalogKey));

describe("mulberry32", () => {
  it("is deterministic and in [0, 1)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });
});

describe("USE_CASE_CATALOG", () => {
  const find = (architecture: string, solutionDomain: string, useCase: string) =>
    USE_CASE_CATALOG.find(
      (e) => e.architecture === architecture && e.solutionDomain === solutionDomain && e.useCase === useCase,
    );

  it("holds every row of seed 000's table", () => {
    expect(USE_CASE_CATALOG).toHaveLength(37);
    expect(catalogKeys.size).toBe(37);
    expect(new Set(USE_CASE_CATALOG.map((e) => e.architecture))).toEqual(
      new Set(["Cloud and AI Infrastructure", "Networking", "Security", "Internet and Mass Scale Infrastructure"]),
    );
  });

  it.each([
    ["Security", "Zero Trust", "Network Access Control", true],
    ["Networking", "WAN", "Secure Direct Internet Access", false],
    ["Networking", "Campus Network", "Internet and Cloud Visbility", true],
    ["Cloud and AI Infrastructure", "Data Center Compute", "Hyperconverged Infrastructure", false],
    ["Cloud and AI Infrastructure", "Data Center Compute", "Simplified Operations", true],
    ["Cloud and AI Infrastructure", "Full Stack Observability", "Hybrid Application Monitoring", false],
    ["Networking", "Campus Network", "Cloud Management for Catalyst (Formely Cloud Monitoring for Catalyst )", true],
    ["Security", "Integrated Secure Operations", "Endpoint Detection and Respond", false],
    ["Security", "Zero Trust", "Secure Application Access with Phishing- Resistant MFA", true],
    ["Internet and Mass Scale Infrastructure", "Service Provider Networking", "XR Flexible Consumption Model", false],
  ] as const)("%s / %s / %s (CPI %s)", (architecture, domain, useCase, cpi) => {
    expect(find(architecture, domain, useCase)?.cpiAvailable).toBe(cpi);
  });

  it("contains the sample export's use cases", () => {
    expect(find("Networking", "Meraki Network", "Foundational Networking and Security for Meraki")).toBeDefined();
    expect(find("Cloud and AI Infrastructure", "Data Center Networking", "Data Center Network Operations")).toBeDefined();
    expect(find("Security", "Cloud & Network Security", "DNS Security")).toBeDefined();
  });
});

describe("generatePortfolio", () => {
  const portfolio = generatePortfolio(options());
  const rows = portfolio.rows;

  it("is deterministic per seed", () => {
    expect(generatePortfolio(options())).toEqual(portfolio);
    const other = generatePortfolio(options({ seed: 43 }));
    expect(other.rows.map(withoutRowNumber)).not.toEqual(rows.slice(0, other.rows.length).map(withoutRowNumber));
    expect(other.rows[0]?.crPartyId).not.toBe(rows[0]?.crPartyId);
  });

  it("streams exactly the rows it returns", () => {
    const small = options({ customers: 50 });
    expect([...generateRowStream(small)]).toEqual(generatePortfolio(small).rows);
  });

  it("stops at maxRows", () => {
    const capped = generatePortfolio(options({ customers: 1000, maxRows: 123 }));
    expect(capped.rows).toHaveLength(123);
    expect(capped.rows).toEqual(rows.slice(0, 123));
  });

  it("has the export's shapes", () => {
    expect(portfolio.asOf).toBe(ASOF);
    expect(rows.length).toBeGreaterThan(1500 * 4);
    rows.forEach((row, i) => {
      expect(row.rowNumber).toBe(i + 2);
      expect(row.crPartyId).toMatch(/^\d{9}$/);
      expect(row.deploymentId).toMatch(/^[A-Za-z0-9]+$/);
      expect(row.deploymentId).toMatch(/^DPL\d+X\d+$/);
      expect(row.serialNumber ?? "FOC00000000").toMatch(/^FOC\d{8}$/);
      expect(row.contractNumber).toMatch(/^\d{9}$/);
      expect(catalogKeys.has(catalogKey(row))).toBe(true);
      expect(isIsoDate(row.stageEnteredOn)).toBe(true);
      expect(row.addedOn !== null && isIsoDate(row.addedOn)).toBe(true);
      expect(row.addedOn! <= row.stageEnteredOn && row.stageEnteredOn <= ASOF).toBe(true);
      expect(row.renewalOn !== null && row.renewalOn > ASOF).toBe(true);
      expect(row.csmEmail === null || CSMS.includes(row.csmEmail)).toBe(true);
      expect(row.partnerContacts.length).toBeLessThanOrEqual(2);
      expect(row.tags.every((t) => DEFAULT_TAGS.includes(t))).toBe(true);
      expect(row.crPartyName.length).toBeGreaterThan(0);
    });
  });

  it("has one customer per CR Party ID with 1–4 deployments of 1–6 use cases", () => {
    const deploymentsByParty = new Map<string, Set<string>>();
    const useCasesByDeployment = new Map<string, number>();
    const nameByParty = new Map<string, string>();
    const partyByDeployment = new Map<string, string>();
    for (const row of rows) {
      const set = deploymentsByParty.get(row.crPartyId) ?? new Set();
      set.add(row.deploymentId);
      deploymentsByParty.set(row.crPartyId, set);
      useCasesByDeployment.set(row.deploymentId, (useCasesByDeployment.get(row.deploymentId) ?? 0) + 1);
      expect(nameByParty.get(row.crPartyId) ?? row.crPartyName).toBe(row.crPartyName);
      nameByParty.set(row.crPartyId, row.crPartyName);
      expect(partyByDeployment.get(row.deploymentId) ?? row.crPartyId).toBe(row.crPartyId);
      partyByDeployment.set(row.deploymentId, row.crPartyId);
    }
    expect(deploymentsByParty.size).toBe(1500);
    const deploymentCounts = [...deploymentsByParty.values()].map((s) => s.size);
    expect(Math.min(...deploymentCounts)).toBe(1);
    expect(Math.max(...deploymentCounts)).toBe(4);
    const useCaseCounts = [...useCasesByDeployment.values()];
    expect(Math.min(...useCaseCounts)).toBe(1);
    expect(Math.max(...useCaseCounts)).toBe(6);
  });

  it("never repeats a (deployment, use case) key", () => {
    expect(new Set(rows.map(rowKey)).size).toBe(rows.length);
  });

  it("spreads rows over every stage, with a fair share stalled", () => {
    for (const stage of STAGES) expect(share(rows, (r) => r.stage === stage)).toBeGreaterThan(0.08);
    const stalled = share(rows, (r) => isStalled(r, ASOF));
    expect(stalled).toBeGreaterThanOrEqual(0.15);
    expect(stalled).toBeLessThanOrEqual(0.25);
    expect(rows.some((r) => r.stage === "optimize" && daysBetween(r.stageEnteredOn, ASOF) > 200)).toBe(true);
  });

  it("has use cases added in the last 30 days, and older ones", () => {
    const recent = share(rows, (r) => daysBetween(r.addedOn!, ASOF) < 30);
    expect(recent).toBeGreaterThan(0.04);
    expect(recent).toBeLessThan(0.15);
    expect(rows.filter((r) => daysBetween(r.addedOn!, ASOF) < 30).every((r) => !isStalled(r, ASOF))).toBe(true);
  });

  it("has bounced, unsubscribed and missing contacts in the stated proportions", () => {
    const withCisco = rows.filter((r) => r.ciscoContact !== null);
    const barred = share(withCisco, (r) => r.ciscoContact!.barrier !== "none");
    expect(barred).toBeGreaterThan(0.07);
    expect(barred).toBeLessThan(0.16);
    expect(rows.some((r) => r.ciscoContact?.barrier === "hard_bounce")).toBe(true);
    expect(rows.some((r) => r.ciscoContact?.barrier === "unsubscribed")).toBe(true);
    expect(rows.some((r) => r.partnerContacts.some((c) => c.barrier === "hard_bounce"))).toBe(true);
    const missing = share(rows, (r) => !hasUsableContact(r));
    expect(missing).toBeGreaterThan(0.03);
    expect(missing).toBeLessThan(0.08);
    expect(rows.some((r) => r.ciscoContact === null && r.partnerContacts.length === 0)).toBe(true);
    for (const count of [0, 1, 2]) expect(rows.some((r) => r.partnerContacts.length === count)).toBe(true);
  });

  it("never puts a partner contact in the partner's own domain", () => {
    const emails = rows.flatMap((r) => [r.ciscoContact, ...r.partnerContacts]).flatMap((c) => (c ? [c.email] : []));
    expect(emails.length).toBeGreaterThan(rows.length);
    for (const email of emails) {
      expect(email).toMatch(/^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+$/);
      expect(email.endsWith(`@${PARTNER_DOMAIN}`) || email.endsWith(`.${PARTNER_DOMAIN}`)).toBe(false);
    }
  });

  it("assigns CSMs to deployments, leaving about 10% unassigned, and excludes about 3%", () => {
    const unassigned = share(rows, (r) => r.csmEmail === null);
    expect(unassigned).toBeGreaterThan(0.05);
    expect(unassigned).toBeLessThan(0.16);
    for (const csm of CSMS) expect(rows.some((r) => r.csmEmail === csm)).toBe(true);
    const csmByDeployment = new Map<string, string | null>();
    for (const row of rows) {
      expect(csmByDeployment.get(row.deploymentId) ?? row.csmEmail).toBe(row.csmEmail);
      csmByDeployment.set(row.deploymentId, row.csmEmail);
    }
    const excluded = share(rows, (r) => r.excluded);
    expect(excluded).toBeGreaterThan(0.01);
    expect(excluded).toBeLessThan(0.06);
  });

  it("uses the given tags, several per cell sometimes", () => {
    const custom = generatePortfolio(options({ customers: 200, tags: ["Gold", "Silver"] })).rows;
    expect(custom.every((r) => r.tags.every((t) => t === "Gold" || t === "Silver"))).toBe(true);
    expect(custom.some((r) => r.tags.length === 2)).toBe(true);
    expect(custom.some((r) => r.tags.length === 0)).toBe(true);
  });

  it("has telemetry and DCC both ways, and a mix of names", () => {
    expect(share(rows, (r) => r.telemetry)).toBeGreaterThan(0.5);
    expect(share(rows, (r) => r.telemetry)).toBeLessThan(0.95);
    expect(share(rows, (r) => r.dcc)).toBeGreaterThan(0.2);
    expect(rows.some((r) => /[\u0400-\u04ff]/.test(r.crPartyName))).toBe(true);
    expect(rows.some((r) => r.installSite?.endsWith(" RU"))).toBe(true);
    expect(rows.some((r) => r.installSite?.endsWith(" DE"))).toBe(true);
  });
});

describe("nextDay", () => {
  const before = generatePortfolio(options({ customers: 1200 }));
  const snapshot = structuredClone(before);
  const NEXT = addDays(ASOF, 3);
  const after = nextDay(before, { seed: 7, asOf: NEXT, changeRate: 0.1 });

  const beforeByKey = new Map(before.rows.map((r) => [rowKey(r), r]));
  const afterByKey = new Map(after.rows.map((r) => [rowKey(r), r]));
  const removed = [...beforeByKey.keys()].filter((k) => !afterByKey.has(k));
  const added = after.rows.filter((r) => !beforeByKey.has(rowKey(r)));
  const modified = after.rows.filter((r) => {
    const old = beforeByKey.get(rowKey(r));
    return old !== undefined && JSON.stringify(withoutRowNumber(old)) !== JSON.stringify(withoutRowNumber(r));
  });

  it("does not mutate its input", () => {
    expect(before).toEqual(snapshot);
  });

  it("is deterministic", () => {
    expect(nextDay(before, { seed: 7, asOf: NEXT, changeRate: 0.1 })).toEqual(after);
    expect(nextDay(before, { seed: 8, asOf: NEXT, changeRate: 0.1 })).not.toEqual(after);
  });

  it("changes about changeRate of the rows", () => {
    const changed = removed.length + added.length + modified.length;
    const expected = before.rows.length * 0.1;
    expect(changed).toBeGreaterThan(expected * 0.8);
    expect(changed).toBeLessThan(expected * 1.2);
    const none = nextDay(before, { seed: 7, asOf: NEXT, changeRate: 0 });
    expect(none.rows.map(withoutRowNumber)).toEqual(before.rows.map(withoutRowNumber));
    expect(none.asOf).toBe(NEXT);
  });

  it("progresses and regresses stages, entered on the new date", () => {
    const moves = modified.map((r) => ({ from: beforeByKey.get(rowKey(r))!, to: r })).filter((m) => m.from.stage !== m.to.stage);
    const up = moves.filter((m) => STAGES.indexOf(m.to.stage) > STAGES.indexOf(m.from.stage));
    const down = moves.filter((m) => STAGES.indexOf(m.to.stage) < STAGES.indexOf(m.from.stage));
    expect(up.length).toBeGreaterThan(down.length);
    expect(down.length).toBeGreaterThan(0);
    expect(moves.every((m) => m.to.stageEnteredOn === NEXT)).toBe(true);
  });

  it("bounces and fixes contacts", () => {
    const pairs = modified.map((r) => ({ from: beforeByKey.get(rowKey(r))!, to: r }));
    const barred = (r: SnapshotRow) => [r.ciscoContact, ...r.partnerContacts].filter((c) => c && c.barrier !== "none").length;
    expect(pairs.some((p) => barred(p.to) > barred(p.from))).toBe(true);
    expect(pairs.some((p) => !hasUsableContact(p.from) && hasUsableContact(p.to))).toBe(true);
    for (const { to } of pairs) {
      expect(to.partnerContacts.length).toBeLessThanOrEqual(2);
      for (const c of to.partnerContacts) expect(c.email.endsWith(`@${PARTNER_DOMAIN}`)).toBe(false);
    }
  });

  it("removes some rows and adds new use cases dated the new day", () => {
    expect(removed.length).toBeGreaterThan(0);
    expect(added.length).toBeGreaterThan(0);
    for (const row of added) {
      expect(row.addedOn).toBe(NEXT);
      expect(row.stageEnteredOn).toBe(NEXT);
      expect(catalogKeys.has(catalogKey(row))).toBe(true);
    }
    expect(new Set(after.rows.map(rowKey)).size).toBe(after.rows.length);
    after.rows.forEach((row, i) => expect(row.rowNumber).toBe(i + 2));
  });
});

describe("demo data", () => {
  const ASOF_DEMO = "2026-11-23";
  const demo = demoPortfolio(ASOF_DEMO);
  const rows = demo.rows;

  it("has the demo CSMs", () => {
    expect(DEMO_CSMS.length).toBeGreaterThanOrEqual(5);
    expect(DEMO_CSMS.length).toBeLessThanOrEqual(6);
    expect(DEMO_CSMS.filter((c) => c.locale === "ru").length).toBeGreaterThanOrEqual(2);
    const emails = DEMO_CSMS.map((c) => c.email);
    expect(emails).toContain("anna.petrova@partner.example");
    expect(emails).toContain("james.lee@partner.example");
    for (const csm of DEMO_CSMS) {
      expect(csm.email.endsWith("@partner.example")).toBe(true);
      expect(() => new Intl.DateTimeFormat("en", { timeZone: csm.timeZone })).not.toThrow();
    }
  });

  it("gives a few hundred rows covering the catalog, every stage and every alert kind", () => {
    expect(demoPortfolio(ASOF_DEMO)).toEqual(demo);
    expect(rows.length).toBeGreaterThanOrEqual(300);
    expect(rows.length).toBeLessThanOrEqual(450);
    expect(new Set(rows.map(catalogKey))).toEqual(catalogKeys);
    expect(new Set(rows.map((r) => r.stage))).toEqual(new Set(STAGES));
    const stalled = share(rows, (r) => isStalled(r, ASOF_DEMO));
    expect(stalled).toBeGreaterThan(0.1);
    expect(stalled).toBeLessThan(0.3);
    expect(rows.some((r) => r.ciscoContact?.barrier === "hard_bounce")).toBe(true);
    expect(rows.some((r) => !hasUsableContact(r))).toBe(true);
    expect(rows.some((r) => daysBetween(r.addedOn!, ASOF_DEMO) < 30)).toBe(true);
    expect(new Set(rows.map(rowKey)).size).toBe(rows.length);
    for (const csm of DEMO_CSMS) expect(rows.some((r) => r.csmEmail === csm.email)).toBe(true);
    expect(rows.every((r) => r.csmEmail === null || DEMO_CSMS.some((c) => c.email === r.csmEmail))).toBe(true);
  });
});

describe("writeSnapshot", () => {
  let dir: string;
  let portfolio: Portfolio;
  let sampleHeader: string;
  const tricky: SnapshotRow = {
    rowNumber: 0,
    crPartyId: "300112345",
    crPartyName: 'Müller, Schmidt & "Partner" GmbH',
    cxbu: null,
    deploymentId: "DPL101X431",
    installSite: "Berlin DE",
    serialNumber: "FOC17784483",
    contractNumber: "644854973",
    architecture: "Security",
    solutionDomain: "Zero Trust",
    useCase: "Network Access Control",
    stage: "implement",
    stageEnteredOn: "2026-09-11",
    addedOn: "2026-02-23",
    telemetry: true,
    dcc: false,
    adoptionPartner: "Partner Example Ltd",
    ea: null,
    cpiEligible: true,
    renewalOn: "2027-02-19",
    csmEmail: "anna.petrova@partner.example",
    ciscoContact: { name: "Анна\nСмирнова", email: "anna.smirnova@ural.example", barrier: "hard_bounce" },
    partnerContacts: [
      { name: "Network Lead", email: "netlead@ural.example", barrier: "unsubscribed" },
      { name: null, email: "it@ural.example", barrier: "none" },
    ],
    tags: ["Enterprise", "Public Sector"],
    excluded: false,
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lca-portfolio-"));
    portfolio = generatePortfolio(options({ customers: 30 }));
    sampleHeader = (await readFile(SAMPLE, "utf8")).split(/\r?\n/)[0]!;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("knows the sample's columns", () => {
    expect(EXPORT_COLUMNS.join(",")).toBe(sampleHeader);
  });

  it("writes CSV with the sample's header and proper quoting", async () => {
    const file = join(dir, "snapshot.csv");
    await writeSnapshot([tricky, ...portfolio.rows], file);
    const text = await readFile(file, "utf8");
    expect(text.split("\n")[0]).toBe(sampleHeader);
    const records = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(portfolio.rows.length + 1);
    const first = records[0]!;
    expect(first["CR Party Name"]).toBe('Müller, Schmidt & "Partner" GmbH');
    expect(first["CXBU"]).toBe("");
    expect(first["Lifecycle Stage"]).toBe("Implement");
    expect(first["Stage Entered Date"]).toBe("2026-09-11");
    expect(first["Telemetry"]).toBe("Yes");
    expect(first["Digital Customer Consent"]).toBe("No");
    expect(first["EA"]).toBe("");
    expect(first["Cisco Contact Name"]).toBe("Анна\nСмирнова");
    expect(first["Cisco Contact Delivery Barrier"]).toBe("Hard Bounce");
    expect(first["Partner Contact 1 Delivery Barrier"]).toBe("Unsubscribed");
    expect(first["Partner Contact 2 Name"]).toBe("");
    expect(first["Partner Contact 2 Delivery Barrier"]).toBe("None");
    expect(first["Partner-Provided Segmentation Tag"]).toBe("Enterprise||Public Sector");
    expect(first["Excluded"]).toBe("No");
    const row = portfolio.rows[5]!;
    const record = records[6]!;
    expect(record["Deployment ID"]).toBe(row.deploymentId);
    expect(record["Use Case"]).toBe(row.useCase);
    expect(record["CSM Email"]).toBe(row.csmEmail ?? "");
  });

  it("writes JSON objects keyed by the same columns", async () => {
    const file = join(dir, "snapshot.json");
    await writeSnapshot([tricky, ...portfolio.rows], file);
    const data = JSON.parse(await readFile(file, "utf8")) as Array<Record<string, string>>;
    expect(data).toHaveLength(portfolio.rows.length + 1);
    expect(Object.keys(data[0]!).join(",")).toBe(sampleHeader);
    expect(data[0]!["CR Party Name"]).toBe('Müller, Schmidt & "Partner" GmbH');
    expect(data[0]!["Lifecycle Stage"]).toBe("Implement");
    expect(data[0]!["Partner-Provided Segmentation Tag"]).toBe("Enterprise||Public Sector");
    expect(data[3]!["Serial Number"]).toBe(portfolio.rows[2]!.serialNumber);

    const empty = join(dir, "empty.json");
    await writeSnapshot([], empty);
    expect(JSON.parse(await readFile(empty, "utf8"))).toEqual([]);
  });

  it("writes XLSX with the header, real date cells and the tag sheet", async () => {
    const file = join(dir, "snapshot.xlsx");
    await writeSnapshot([tricky, ...portfolio.rows], file);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    // Excel caps sheet names at 31 characters: the tag sheet's name is cut accordingly.
    expect(workbook.worksheets.map((w) => w.name)).toEqual(["Use Cases", "Partner-Provided Segmentation T"]);
    const sheet = workbook.getWorksheet("Use Cases")!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.join(",")).toBe(sampleHeader);
    expect(sheet.rowCount).toBe(portfolio.rows.length + 2);
    const col = (name: string) => EXPORT_COLUMNS.indexOf(name as (typeof EXPORT_COLUMNS)[number]) + 1;
    const first = sheet.getRow(2);
    expect(first.getCell(col("CR Party ID")).value).toBe("300112345");
    expect(first.getCell(col("CR Party Name")).value).toBe('Müller, Schmidt & "Partner" GmbH');
    expect(first.getCell(col("Lifecycle Stage")).value).toBe("Implement");
    const entered = first.getCell(col("Stage Entered Date")).value;
    expect(entered).toBeInstanceOf(Date);
    expect((entered as Date).toISOString().slice(0, 10)).toBe("2026-09-11");
    expect(first.getCell(col("Stage Entered Date")).numFmt).toBe("yyyy-mm-dd");
    expect(first.getCell(col("CXBU")).value).toBeNull();
    expect(first.getCell(col("Cisco Contact Delivery Barrier")).value).toBe("Hard Bounce");
    expect(first.getCell(col("Partner-Provided Segmentation Tag")).value).toBe("Enterprise||Public Sector");
    const row = portfolio.rows[9]!;
    const cells = sheet.getRow(12); // header, tricky, then rows[0] at row 3
    expect(cells.getCell(col("Deployment ID")).value).toBe(row.deploymentId);
    expect((cells.getCell(col("Renewal Date")).value as Date).toISOString().slice(0, 10)).toBe(row.renewalOn);

    const tags = workbook.getWorksheet("Partner-Provided Segmentation T")!;
    expect(tags.getCell(1, 1).value).toBe("Partner-Provided Segmentation Tag");
    const listed = tags.getColumn(1).values.slice(2);
    expect(new Set(listed)).toEqual(new Set(portfolio.rows.flatMap((r) => r.tags).concat(tricky.tags)));
  });

  it("refuses other extensions", async () => {
    await expect(writeSnapshot([], join(dir, "snapshot.txt"))).rejects.toThrow(/unsupported/);
  });
});
