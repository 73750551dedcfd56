import { createWriteStream, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RowProblem, SnapshotRow } from "../../src/domain/snapshot.js";
import { isAppError } from "../../src/errors.js";
import { COLUMNS, mapHeader, normaliseHeader } from "../../src/ingest/columns.js";
import { chooseSheet, openSnapshot, readSnapshot, type RowResult } from "../../src/ingest/read.js";
import { csvRecords } from "../../src/ingest/read-csv.js";
import { validateRow } from "../../src/ingest/row.js";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import { generateRowStream } from "../../src/demo/portfolio.js";
import { row as sampleRow } from "../support/rows.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/ingest", import.meta.url));
const SAMPLE_CSV = path.join(FIXTURES, "sample.csv");
const SAMPLE_JSON = path.join(FIXTURES, "sample.json");
const HEADER: string[] = COLUMNS.map((column) => column.name);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lca-ingest-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(file: string): Promise<{ results: RowResult[]; unknown: string[]; count: number }> {
  const snapshot = await openSnapshot(file);
  const results: RowResult[] = [];
  for await (const result of snapshot.rows) results.push(result);
  return { results, unknown: snapshot.unknownColumns(), count: snapshot.rowCount() };
}

function validRows(results: RowResult[]): SnapshotRow[] {
  return results.map((result) => {
    if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
    return result.row;
  });
}

function problemsOf(results: RowResult[]): RowProblem[] {
  return results.flatMap((result) => (result.ok ? [] : result.problems));
}

/** The sample's rows as arrays of cell texts, header first. */
function sampleTable(): string[][] {
  return parse(readFileSync(SAMPLE_CSV)) as string[][];
}

/** The first sample row by column name, to vary one cell at a time. */
function baseRow(): Record<string, string> {
  const [header, first] = sampleTable();
  return Object.fromEntries(header!.map((name, i) => [name, first![i]!]));
}

function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(",");
}

async function writeCsv(name: string, rows: readonly Record<string, string>[], header: readonly string[] = HEADER): Promise<string> {
  const file = path.join(dir, name);
  const lines = [header, ...rows.map((row) => header.map((column) => row[column] ?? ""))].map(csvLine);
  await writeFile(file, `${lines.join("\n")}\n`);
  return file;
}

async function expectUnreadable(file: string): Promise<void> {
  const error = await readAll(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isAppError(error), String(error)).toBe(true);
  expect(error).toMatchObject({ code: "ingest.unreadable", params: { file: path.basename(file) } });
}

const FIRST_SAMPLE_ROW: SnapshotRow = {
  rowNumber: 2,
  crPartyId: "300112345",
  crPartyName: "Northwind Logistics",
  cxbu: "Northwind Group",
  deploymentId: "DPL101X431",
  installSite: "Berlin DE",
  serialNumber: "FOC17784483",
  contractNumber: "644854973",
  architecture: "Networking",
  solutionDomain: "Campus Network",
  useCase: "Campus Network Segmentation",
  stage: "purchase",
  stageEnteredOn: "2026-09-11",
  addedOn: "2026-09-11",
  telemetry: true,
  dcc: true,
  adoptionPartner: "Partner Example Ltd",
  ea: false,
  cpiEligible: false,
  renewalOn: "2027-02-19",
  csmEmail: "anna.petrova@partner.example",
  ciscoContact: { name: "IT Director", email: "it.director@northwind.example", barrier: "none" },
  partnerContacts: [{ name: "Network Lead", email: "netlead@northwind.example", barrier: "none" }],
  tags: [],
  excluded: false,
};

describe("the sample export", () => {
  it("reads the CSV to 24 valid rows with their fields", async () => {
    const { results, unknown, count } = await readAll(SAMPLE_CSV);
    const rows = validRows(results);
    expect(rows).toHaveLength(24);
    expect(count).toBe(24);
    expect(unknown).toEqual([]);
    expect(rows[0]).toEqual(FIRST_SAMPLE_ROW);
    expect(rows.map((row) => row.rowNumber)).toEqual(Array.from({ length: 24 }, (_, i) => i + 2));

    const ural = rows.find((row) => row.deploymentId === "DPL202X951" && row.useCase === "DNS Security")!;
    expect(ural).toMatchObject({ rowNumber: 11, stage: "implement", csmEmail: null, tags: ["Commercial"], partnerContacts: [{ email: "netlead@ural.example", barrier: "none" }] });
    const contoso = rows.find((row) => row.rowNumber === 16)!;
    expect(contoso.tags).toEqual(["Enterprise", "Public Sector"]);
    expect(rows.find((row) => row.rowNumber === 5)!.partnerContacts).toEqual([{ name: "Network Lead", email: "netlead@northwind.example", barrier: "hard_bounce" }]);
    expect(rows.find((row) => row.rowNumber === 3)!).toMatchObject({ ciscoContact: { barrier: "unsubscribed" }, partnerContacts: [], ea: true, dcc: false });
    expect(rows.filter((row) => row.excluded).map((row) => row.rowNumber)).toEqual([8, 10, 19, 22]);
    expect(new Set(rows.map((row) => row.stage))).toEqual(new Set(["purchase", "onboard", "implement", "use", "engage", "adopt", "optimize"]));
  });

  it("reads the same rows from JSON, whose elements count from 1", async () => {
    const csv = validRows((await readAll(SAMPLE_CSV)).results);
    const { results, count } = await readAll(SAMPLE_JSON);
    expect(count).toBe(24);
    expect(validRows(results)).toEqual(csv.map((row) => ({ ...row, rowNumber: row.rowNumber - 1 })));
  });

  it("reads the same rows from an Excel workbook with date cells, serial dates and the tags sheet first", async () => {
    const file = path.join(dir, "sample.xlsx");
    await writeSampleWorkbook(file);
    const csv = validRows((await readAll(SAMPLE_CSV)).results);
    const { results, count, unknown } = await readAll(file);
    expect(count).toBe(24);
    expect(unknown).toEqual([]);
    expect(validRows(results)).toEqual(csv);
  });
});

const DAY_MS = 86_400_000;

function utcDate(iso: string): Date {
  return new Date(`${iso}T00:00:00.000Z`);
}

function excelSerial(iso: string): number {
  return (utcDate(iso).getTime() - Date.UTC(1899, 11, 30)) / DAY_MS;
}

/** The sample as Excel would hold it: typed cells rather than text wherever Excel would type them. */
async function writeSampleWorkbook(file: string): Promise<void> {
  const [header, ...rows] = sampleTable();
  const col = (name: string) => header!.indexOf(name);
  const workbook = new ExcelJS.Workbook();
  // Excel cuts sheet names at 31 characters; the tags sheet comes first to prove it is skipped.
  const tags = workbook.addWorksheet("Partner-Provided Segmentation T");
  tags.addRows([["Partner-Provided Segmentation Tag"], ["Enterprise"], ["Commercial"]]);
  const sheet = workbook.addWorksheet("Use Cases");
  sheet.addRow(header);
  rows.forEach((cells, i) => {
    const typed: unknown[] = [...cells];
    const stageEntered = cells[col("Stage Entered Date")]!;
    typed[col("Stage Entered Date")] = i % 2 === 0 ? utcDate(stageEntered) : excelSerial(stageEntered);
    typed[col("Renewal Date")] = utcDate(cells[col("Renewal Date")]!);
    typed[col("CR Party ID")] = Number(cells[col("CR Party ID")]);
    typed[col("Telemetry")] = cells[col("Telemetry")] === "Yes";
    typed[col("CR Party Name")] = { richText: [{ text: cells[col("CR Party Name")]!.slice(0, 3) }, { text: cells[col("CR Party Name")]!.slice(3) }] };
    const csm = cells[col("CSM Email")]!;
    if (csm !== "") typed[col("CSM Email")] = { text: csm, hyperlink: `mailto:${csm}` };
    sheet.addRow(typed);
  });
  await workbook.xlsx.writeFile(file);
}

describe("Excel workbooks", () => {
  async function writeWorkbook(file: string, sheets: Record<string, unknown[][]>): Promise<string> {
    const workbook = new ExcelJS.Workbook();
    for (const [name, rows] of Object.entries(sheets)) workbook.addWorksheet(name).addRows(rows);
    const target = path.join(dir, file);
    await workbook.xlsx.writeFile(target);
    return target;
  }

  it("skips fully empty rows and numbers rows as the sheet does", async () => {
    const base = baseRow();
    const row = HEADER.map((name) => base[name]);
    const second = HEADER.map((name) => (name === "Use Case" ? "Other Use Case" : base[name]));
    const file = await writeWorkbook("gaps.xlsx", { "Use Cases": [HEADER, row, [], HEADER.map(() => "  "), second] });
    const { results, count } = await readAll(file);
    expect(validRows(results).map((r) => r.rowNumber)).toEqual([2, 5]);
    expect(count).toBe(2);
  });

  it("falls back to the first worksheet that is not the tags sheet", async () => {
    const base = baseRow();
    const file = await writeWorkbook("fallback.xlsx", {
      "Partner-Provided Segmentation T": [["Tag"], ["Enterprise"]],
      Data: [HEADER, HEADER.map((name) => base[name])],
    });
    expect(validRows((await readAll(file)).results)).toHaveLength(1);
    expect(chooseSheet(["Sheet1", "USE CASES "])).toBe("USE CASES ");
    expect(chooseSheet(["Sheet1"])).toBe("Sheet1");
    expect(chooseSheet(["Partner-Provided Segmentation Tag"])).toBeUndefined();
  });

  it("refuses a workbook with only the tags sheet", async () => {
    await expectUnreadable(await writeWorkbook("tags-only.xlsx", { "Partner-Provided Segmentation T": [["Tag"]] }));
  });
});

describe("headers", () => {
  it("match ignoring case, spaces and # . _ -, and unknown columns are reported once", async () => {
    const variants: Record<string, string> = {
      "CR Party ID": "cr party id",
      "Deployment ID": "Deployment-ID",
      "Use Case": "#Use Case",
      "CR Party Name": "  CR_Party.Name ",
      "Lifecycle Stage": "LIFECYCLE   stage",
      "Partner-Provided Segmentation Tag": "partner provided segmentation tag",
    };
    const header = [...HEADER.map((name) => variants[name] ?? name), "Notes", "Region"];
    const rows = [baseRow(), { ...baseRow(), "Use Case": "Other Use Case" }].map((row) => {
      const renamed: Record<string, string> = { Notes: "free text", Region: "EMEA" };
      for (const name of HEADER) renamed[variants[name] ?? name] = row[name]!;
      return renamed;
    });
    const { results, unknown } = await readAll(await writeCsv("variants.csv", rows, header));
    expect(validRows(results)[0]).toEqual(FIRST_SAMPLE_ROW);
    expect(unknown).toEqual(["Notes", "Region"]);
  });

  it("normalise to one key", () => {
    expect(normaliseHeader(" #Deployment-ID ")).toBe(normaliseHeader("deployment id"));
    expect(normaliseHeader("CR_Party.Name")).toBe(normaliseHeader("cr party   name"));
    expect(mapHeader(["Deployment ID", "Stuff", "Stuff", ""], 1).unknown).toEqual(["Stuff"]);
  });

  it("lacking required columns are one file-level problem, and no row is read", async () => {
    const header = HEADER.filter((name) => name !== "Lifecycle Stage" && name !== "Use Case");
    const { results, count } = await readAll(await writeCsv("missing.csv", [baseRow()], header));
    expect(results).toEqual([
      {
        ok: false,
        problems: [
          { row: 1, column: "Use Case", key: "missingColumn", params: { column: "Use Case" } },
          { row: 1, column: "Lifecycle Stage", key: "missingColumn", params: { column: "Lifecycle Stage" } },
        ],
      },
    ]);
    expect(count).toBe(0);
  });

  it("naming a column twice is a file-level problem", async () => {
    const file = await writeCsv("twice.csv", [{ ...baseRow(), deployment_id: "X1" }], [...HEADER, "deployment_id"]);
    expect(problemsOf((await readAll(file)).results)).toEqual([{ row: 1, column: "Deployment ID", key: "duplicateColumn", params: { value: "deployment_id" } }]);
  });

  it("are missing from an empty file", async () => {
    const file = path.join(dir, "empty.csv");
    await writeFile(file, "");
    const problems = problemsOf((await readAll(file)).results);
    expect(problems.map((p) => p.column)).toEqual(COLUMNS.filter((c) => c.required).map((c) => c.name));
    expect(new Set(problems.map((p) => `${p.row} ${p.key}`))).toEqual(new Set(["1 missingColumn"]));
  });
});

describe("row problems", () => {
  it("reports every bad cell of a row with its row number and column", async () => {
    const bad = {
      ...baseRow(),
      "CR Party Name": "",
      "Deployment ID": "DPL-101",
      "Lifecycle Stage": "Deploy",
      "Stage Entered Date": "11/09/2026",
      Telemetry: "Maybe",
      "CSM Email": "anna@",
      "Cisco Contact Delivery Barrier": "Bounced",
      "Partner Contact 2 Name": "Ghost",
    };
    const file = await writeCsv("bad.csv", [baseRow(), bad]);
    const { results, count } = await readAll(file);
    expect(count).toBe(2);
    expect(results[0]!.ok).toBe(true);
    expect(results[1]).toEqual({
      ok: false,
      problems: [
        { row: 3, column: "CR Party Name", key: "required", params: { value: "" } },
        { row: 3, column: "Deployment ID", key: "invalidDeploymentId", params: { value: "DPL-101" } },
        { row: 3, column: "Lifecycle Stage", key: "invalidStage", params: { value: "Deploy" } },
        { row: 3, column: "Stage Entered Date", key: "invalidDate", params: { value: "11/09/2026" } },
        { row: 3, column: "Telemetry", key: "invalidYesNo", params: { value: "Maybe" } },
        { row: 3, column: "CSM Email", key: "invalidEmail", params: { value: "anna@" } },
        { row: 3, column: "Cisco Contact Delivery Barrier", key: "invalidBarrier", params: { value: "Bounced" } },
        { row: 3, column: "Partner Contact 2 Email", key: "contactWithoutEmail", params: { value: "Ghost" } },
      ],
    });
  });

  it("finds a repeated use-case deployment and a deployment under two customers", async () => {
    const base = baseRow();
    const rows = [
      base,
      { ...base, "Use Case": "Campus Network Automation" },
      { ...base, "Serial Number": "OTHER" }, // same four identifying cells as row 2
      { ...base, "CR Party ID": "300999999", "Use Case": "Wireless" },
      { ...base, "Deployment ID": "", "CR Party ID": "300999999" }, // invalid rows take no part in cross-row checks
    ];
    const { results } = await readAll(await writeCsv("cross.csv", rows));
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false, false]);
    expect(problemsOf(results)).toEqual([
      { row: 4, column: "Use Case", key: "duplicateRow", params: { firstRow: 2 } },
      { row: 5, column: "CR Party ID", key: "deploymentMovedCustomer", params: { value: "300999999", deploymentId: "DPL101X431", otherCrPartyId: "300112345", firstRow: 2 } },
      { row: 6, column: "Deployment ID", key: "required", params: { value: "" } },
    ]);
  });

  it("numbers CSV rows as Excel does, blank lines included", async () => {
    const base = baseRow();
    const file = path.join(dir, "blank-lines.csv");
    const line = (row: Record<string, string>) => csvLine(HEADER.map((name) => row[name]!));
    await writeFile(file, [csvLine(HEADER), "", line(base), "", "", line({ ...base, "Lifecycle Stage": "Nope" })].join("\n"));
    expect(problemsOf((await readAll(file)).results)).toEqual([{ row: 6, column: "Lifecycle Stage", key: "invalidStage", params: { value: "Nope" } }]);
  });

  it("in JSON: elements that are not objects and cells that are not values", async () => {
    const base = baseRow();
    const file = path.join(dir, "shapes.json");
    await writeFile(file, JSON.stringify([base, 42, { ...base, "Use Case": "Other", "Install Site": { city: "Berlin" } }]));
    const { results, count } = await readAll(file);
    expect(count).toBe(3);
    expect(problemsOf(results)).toEqual([
      { row: 2, column: "", key: "notAnObject", params: { value: "42" } },
      { row: 3, column: "Install Site", key: "invalidValue", params: { value: '{"city":"Berlin"}' } },
    ]);
  });

  it("in JSON: the first object's keys are the header", async () => {
    const { "CR Party ID": _dropped, ...rest } = baseRow();
    const file = path.join(dir, "no-party.json");
    await writeFile(file, JSON.stringify([rest, baseRow()]));
    expect((await readAll(file)).results).toEqual([{ ok: false, problems: [{ row: 1, column: "CR Party ID", key: "missingColumn", params: { column: "CR Party ID" } }] }]);
  });
});

describe("validateRow", () => {
  const record = (overrides: Record<string, unknown> = {}) => ({
    crPartyId: "1",
    crPartyName: "Acme",
    deploymentId: "D1",
    architecture: "Networking",
    solutionDomain: "WAN",
    useCase: "SD-WAN",
    stage: " IMPLEMENT ",
    stageEnteredOn: "2026-01-31",
    ...overrides,
  });

  it("applies the defaults of the format to empty cells", () => {
    const result = validateRow(record(), 7);
    expect(result).toEqual({
      ok: true,
      row: expect.objectContaining({ rowNumber: 7, stage: "implement", cxbu: null, addedOn: null, telemetry: false, dcc: false, ea: null, cpiEligible: null, excluded: false, csmEmail: null, ciscoContact: null, partnerContacts: [], tags: [] }),
    });
  });

  it("reads dates from ISO text, Excel date cells and Excel serial numbers", () => {
    const result = validateRow(record({ stageEnteredOn: utcDate("2026-09-11"), addedOn: 46276.75, renewalOn: " 2027-02-28 " }), 2);
    expect(result.ok && [result.row.stageEnteredOn, result.row.addedOn, result.row.renewalOn]).toEqual(["2026-09-11", "2026-09-11", "2027-02-28"]);
    const bad = validateRow(record({ stageEnteredOn: "2026-02-30", addedOn: -3, renewalOn: "46276" }), 2);
    expect(!bad.ok && bad.problems.map((p) => `${p.column}: ${p.key}`)).toEqual(["Stage Entered Date: invalidDate", "Use Case Added Date: invalidDate", "Renewal Date: invalidDate"]);
    const empty = validateRow(record({ stageEnteredOn: "" }), 2);
    expect(!empty.ok && empty.problems).toEqual([{ row: 2, column: "Stage Entered Date", key: "required", params: { value: "" } }]);
  });

  it("reads Yes/No in its spellings", () => {
    const result = validateRow(record({ telemetry: "y", dcc: true, ea: "FALSE", cpiEligible: 0, excluded: "1" }), 2);
    expect(result.ok && result.row).toMatchObject({ telemetry: true, dcc: true, ea: false, cpiEligible: false, excluded: true });
  });

  it("lower-cases emails, reads barriers in any case, and splits tags", () => {
    const result = validateRow(
      record({
        csmEmail: " Anna.Petrova@Partner.Example ",
        ciscoContactEmail: "CISCO@example.com",
        ciscoContactBarrier: "HARD BOUNCE",
        partner2Name: "",
        partner2Email: "p2@example.com",
        partner2Barrier: "unsubscribed",
        partner1Barrier: "None", // "None" alone is no contact
        tags: " Enterprise || ||Public Sector||Enterprise",
      }),
      2,
    );
    expect(result.ok && result.row).toMatchObject({
      csmEmail: "anna.petrova@partner.example",
      ciscoContact: { name: null, email: "cisco@example.com", barrier: "hard_bounce" },
      partnerContacts: [{ name: null, email: "p2@example.com", barrier: "unsubscribed" }],
      tags: ["Enterprise", "Public Sector"],
    });
  });

  it("refuses a barrier without an email", () => {
    const result = validateRow(record({ partner1Barrier: "Unsubscribed" }), 9);
    expect(result).toEqual({ ok: false, problems: [{ row: 9, column: "Partner Contact 1 Email", key: "contactWithoutEmail", params: { value: "Unsubscribed" } }] });
  });
});

describe("unreadable files", () => {
  it.each([
    ["missing.csv", null],
    ["notes.txt", "CR Party ID\n"],
    ["corrupt.xlsx", "this is not a zip archive"],
    ["broken.json", `[${JSON.stringify(baseRow())}, {"CR Party`], // fails after a good row
    ["object.json", '{"CR Party ID": "1"}'],
    ["empty.json", ""],
    ["quote.csv", `${csvLine(HEADER)}\n"unclosed,1\n`],
    ["ragged.csv", `${csvLine(HEADER)}\n1,2,3\n`],
  ])("%s throws ingest.unreadable", async (name, content) => {
    const file = path.join(dir, "unreadable", name);
    if (content !== null) {
      await writeFile(path.join(dir, name), content);
      await expectUnreadable(path.join(dir, name));
    } else {
      await expectUnreadable(file);
    }
  });

  it("a truncated workbook throws ingest.unreadable", async () => {
    const good = path.join(dir, "whole.xlsx");
    await writeSampleWorkbook(good);
    const truncated = path.join(dir, "truncated.xlsx");
    await writeFile(truncated, readFileSync(good).subarray(0, 3000));
    await expectUnreadable(truncated);
  });

  it("the plain generator throws the same error", async () => {
    const iterate = async () => {
      for await (const _ of readSnapshot(path.join(dir, "nope.json"))) void _;
    };
    await expect(iterate()).rejects.toMatchObject({ code: "ingest.unreadable" });
  });
});

describe("CSV dialects", () => {
  // Rows whose cells hold what a CSV must quote, many enough that records cross the reader's
  // 64 KiB chunks, each read against csv-parse's reading of the same file.
  const tricky = Array.from({ length: 2_000 }, (_, i): Record<string, string> => ({
    ...baseRow(),
    "Deployment ID": `DPL${i}X1`,
    "Install Site": i % 3 === 0 ? `Building ${i}\nFloor "2", rack ${i % 7}` : `Site, ${i}`,
    "Partner Contact 1 Name": `O""Brien ${i}`,
    Excluded: i % 2 === 0 ? "No" : "",
  }));

  async function expectSameAsCsvParse(name: string, newline: string): Promise<void> {
    const file = path.join(dir, name);
    const lines = [HEADER, ...tricky.map((row) => HEADER.map((column) => row[column] ?? ""))].map((cells) =>
      // Every cell quoted, the last one too: a quote just before a CRLF must close the cell.
      cells.map((cell) => `"${cell.replace(/\n/g, newline).replaceAll('"', '""')}"`).join(","),
    );
    await writeFile(file, lines.join(newline) + newline);
    const reference = (parse(readFileSync(file)) as string[][]).slice(1);
    const rows = validRows((await readAll(file)).results);
    expect(rows).toHaveLength(tricky.length);
    rows.forEach((row, i) => {
      expect(row.deploymentId).toBe(reference[i]![HEADER.indexOf("Deployment ID")]);
      expect(row.installSite).toBe(reference[i]![HEADER.indexOf("Install Site")]!.trim());
      expect(row.partnerContacts[0]!.name).toBe(reference[i]![HEADER.indexOf("Partner Contact 1 Name")]);
    });
  }

  it("reads Excel's CRLF line breaks, with quoted cells that hold commas, quotes and line breaks", async () => {
    await expectSameAsCsvParse("crlf.csv", "\r\n");
  });

  it("reads LF line breaks the same way", async () => {
    await expectSameAsCsvParse("lf.csv", "\n");
  });

  it("a file without a line break after its last record still yields that record", async () => {
    const file = path.join(dir, "no-final-break.csv");
    await writeFile(file, [HEADER, HEADER.map((column) => baseRow()[column] ?? "")].map(csvLine).join("\r\n"));
    expect(validRows((await readAll(file)).results)).toHaveLength(1);
  });
});

describe("streaming", () => {
  const ROWS = 200_000;

  async function writeLargeCsv(file: string): Promise<void> {
    const out = createWriteStream(file);
    const write = async (line: string) => {
      if (!out.write(`${line}\n`)) await once(out, "drain");
    };
    const base = baseRow();
    const useCases = ["Campus Network Segmentation", "Campus Network Automation", "Network Access Control", "DNS Security"];
    await write(csvLine(HEADER));
    for (let i = 0; i < ROWS; i++) {
      const deployment = Math.floor(i / useCases.length);
      await write(
        csvLine(HEADER.map((name) => {
          if (name === "Deployment ID") return `DPL${deployment}`;
          if (name === "CR Party ID") return String(300_000_000 + Math.floor(deployment / 10));
          if (name === "Use Case") return useCases[i % useCases.length]!;
          if (name === "Serial Number") return `FOC${i}`;
          return base[name]!;
        })),
      );
    }
    out.end();
    await once(out, "finish");
  }

  /**
   * Heap in use after a full collection: without it the figure is mostly garbage not yet
   * collected, which says nothing about what the reader holds. vitest runs without
   * --expose-gc, so the flag is set at run time and `gc` taken from a fresh context.
   */
  function liveHeap(): number {
    v8.setFlagsFromString("--expose-gc");
    (vm.runInNewContext("gc") as () => void)();
    return process.memoryUsage().heapUsed;
  }

  it.each([
    ["rows of one pattern", writeLargeCsv],
    // Quoted cells, Cyrillic and ids of an export's own length, as the bench reads them:
    // the parser's cells are substrings of its chunks, and a kept id must not keep its chunk.
    ["an export like LCA's (the demo portfolio)", async (file: string) => {
      const csms = Array.from({ length: 40 }, (_, i) => `csm${i}@partner.example`);
      await writeSnapshot(generateRowStream({ seed: 2026, customers: ROWS / 7 + 1000, maxRows: ROWS, asOf: "2026-11-19", csmEmails: csms, partnerDomain: "partner.example" }), file);
    }],
  ])("reads 200,000 %s without holding the file in memory", { timeout: 120_000 }, async (_, write) => {
    const file = path.join(dir, "large.csv");
    await write(file);
    const { size } = await stat(file);

    const snapshot = await openSnapshot(file);
    const before = liveHeap();
    let peak = 0;
    let valid = 0;
    for await (const result of snapshot.rows) {
      if (result.ok) valid++;
      if (valid % 50_000 === 0) peak = Math.max(peak, liveHeap() - before);
    }
    expect(valid).toBe(ROWS);
    expect(snapshot.rowCount()).toBe(ROWS);
    // Holding the file would keep at least its size alive; streaming keeps the cross-row
    // index (an entry per deployment and per use-case deployment), a fraction of it.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(size / 3);
  });
});

describe("messages", () => {
  const load = (locale: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../locales/${locale}/ingest.json`, import.meta.url)), "utf8")) as { problems: Record<string, string> };
  const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

  it("exist in Russian for every English problem, with the same placeholders", () => {
    const en = load("en").problems;
    const ru = load("ru").problems;
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en)) expect(placeholders(ru[key]!), key).toEqual(placeholders(en[key]!));
  });
});

describe("Excel files whose parts come in an unusual order", () => {
  it("reads a workbook that stores workbook.xml after its sheets", async () => {
    const { default: JSZip } = await import("jszip");
    const dir = await mkdtemp(path.join(os.tmpdir(), "lca-xlsx-order-"));
    try {
      const source = path.join(dir, "plain.xlsx");
      await writeSnapshot(sampleRowsForOrderTest(), source);
      const zip = await JSZip.loadAsync(await readFile(source));
      const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
      const last = "xl/workbook.xml";
      const first = ["[Content_Types].xml", "_rels/.rels", "xl/sharedStrings.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"];
      const ordered = [...first.filter((n) => names.includes(n)), ...names.filter((n) => !first.includes(n) && n !== last), last];
      const reordered = new JSZip();
      for (const name of ordered) reordered.file(name, await zip.file(name)!.async("nodebuffer"));
      const file = path.join(dir, "reordered.xlsx");
      await writeFile(file, await reordered.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }));
      const results = [];
      for await (const result of readSnapshot(file)) results.push(result);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function sampleRowsForOrderTest(): SnapshotRow[] {
  return [sampleRow(), sampleRow({ useCase: "Campus Network Visibility" })];
}

describe("CSV records across chunk boundaries", () => {
  // The reader gets the file in chunks; wherever one ends, the records are the same.
  const texts = {
    "CRLF, every cell quoted": 'h1,h2,h3\r\n"a","b, c","d"\r\n"e ""f""","g\r\nh","i"\r\n',
    "LF, a quoted cell last": 'h1,h2,h3\n1,2,"x"\n3,4,"y"\n',
    "CR only": "h1,h2\r1,2\r3,4\r",
    "no line break at the end": 'h1,h2\r\n1,"2"',
  };

  it.each(Object.entries(texts))("%s: the same records whichever offset a chunk ends at", async (_, text) => {
    const reference = parse(text, { relax_column_count: true }) as string[][];
    for (let cut = 0; cut <= text.length; cut++) {
      for (const second of [cut, Math.min(text.length, cut + 1)]) {
        const chunks = [text.slice(0, cut), text.slice(cut, second), text.slice(second)].filter((c) => c !== "");
        const records: string[][] = [];
        for await (const record of csvRecords(asChunks(chunks), "t.csv")) if (record.cells.some((c) => c !== "")) records.push([...record.cells] as string[]);
        expect(records, `cut at ${cut}, ${second}`).toEqual(reference);
      }
    }
  });

  it("a header that is longer than a chunk is read whole", async () => {
    const header = Array.from({ length: 40 }, (_, i) => `column ${i}`).join(",");
    const text = `${header}\r\n${Array.from({ length: 40 }, (_, i) => String(i)).join(",")}\r\n`;
    const chunks = text.match(/[\s\S]{1,16}/g)!;
    const records: string[][] = [];
    for await (const record of csvRecords(asChunks(chunks), "t.csv")) records.push([...record.cells] as string[]);
    expect(records).toEqual(parse(text));
  });

  async function* asChunks(chunks: string[]): AsyncGenerator<string> {
    yield* chunks;
  }
});
