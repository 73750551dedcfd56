/**
 * Writes snapshot rows in the LCA export format (../../shared/lca-export-format.md), chosen by
 * the file's extension: .csv, .json or .xlsx. Everything is streamed to disk: rows are pulled
 * from the iterable one at a time and never gathered into one string or workbook in memory.
 */
import { createWriteStream } from "node:fs";
import { extname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { toDate, type IsoDate } from "../domain/dates.js";
import { loadExcelJs, type ExcelJS } from "../exceljs.js";
import type { DeliveryBarrier, SnapshotContact, SnapshotRow } from "../domain/snapshot.js";
import type { Stage } from "../domain/stages.js";

/** The export's columns, in order, spelled as in shared/sample-export.csv. */
export const EXPORT_COLUMNS = [
  "CR Party ID",
  "CR Party Name",
  "CXBU",
  "Deployment ID",
  "Install Site",
  "Serial Number",
  "Contract Number",
  "Architecture",
  "Solution Domain",
  "Use Case",
  "Lifecycle Stage",
  "Stage Entered Date",
  "Use Case Added Date",
  "Telemetry",
  "Digital Customer Consent",
  "Adoption Partner",
  "EA",
  "CPI Eligible",
  "Renewal Date",
  "CSM Email",
  "Cisco Contact Name",
  "Cisco Contact Email",
  "Cisco Contact Delivery Barrier",
  "Partner Contact 1 Name",
  "Partner Contact 1 Email",
  "Partner Contact 1 Delivery Barrier",
  "Partner Contact 2 Name",
  "Partner Contact 2 Email",
  "Partner Contact 2 Delivery Barrier",
  "Partner-Provided Segmentation Tag",
  "Excluded",
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

export const USE_CASES_SHEET = "Use Cases";
/**
 * The tag sheet. The format names it "Partner-Provided Segmentation Tag" (33 characters), but
 * Excel caps sheet names at 31 and flags longer ones as a corrupt file, so it is written cut
 * to 31 characters, as Excel itself would; readers should match it by prefix.
 */
export const TAGS_SHEET_TITLE = "Partner-Provided Segmentation Tag";
export const TAGS_SHEET = TAGS_SHEET_TITLE.slice(0, 31);
export const TAG_SEPARATOR = "||";

const DATE_COLUMNS = new Set<ExportColumn>(["Stage Entered Date", "Use Case Added Date", "Renewal Date"]);

export interface WriteSnapshotOptions {
  /** Tags listed on the xlsx tag sheet; default: the tags the rows use, in first-seen order. */
  tags?: readonly string[];
}

const BARRIER_TEXT: Record<DeliveryBarrier, string> = {
  none: "None",
  hard_bounce: "Hard Bounce",
  unsubscribed: "Unsubscribed",
};

export function stageText(stage: Stage): string {
  return stage.charAt(0).toUpperCase() + stage.slice(1);
}

function yesNo(value: boolean | null): string | null {
  return value === null ? null : value ? "Yes" : "No";
}

function contactCells(contact: SnapshotContact | null | undefined): Array<string | null> {
  if (!contact) return [null, null, null];
  return [contact.name, contact.email, BARRIER_TEXT[contact.barrier]];
}

/** A row's cells in column order; dates stay ISO strings (the xlsx writer turns them into dates). */
export function exportCells(row: SnapshotRow): Array<string | null> {
  return [
    row.crPartyId,
    row.crPartyName,
    row.cxbu,
    row.deploymentId,
    row.installSite,
    row.serialNumber,
    row.contractNumber,
    row.architecture,
    row.solutionDomain,
    row.useCase,
    stageText(row.stage),
    row.stageEnteredOn,
    row.addedOn,
    yesNo(row.telemetry),
    yesNo(row.dcc),
    row.adoptionPartner,
    yesNo(row.ea),
    yesNo(row.cpiEligible),
    row.renewalOn,
    row.csmEmail,
    ...contactCells(row.ciscoContact),
    ...contactCells(row.partnerContacts[0]),
    ...contactCells(row.partnerContacts[1]),
    row.tags.length > 0 ? row.tags.join(TAG_SEPARATOR) : null,
    yesNo(row.excluded),
  ];
}

/** RFC 4180 quoting: quote when the cell holds a comma, quote, line break or edge spaces. */
export function csvCell(value: string | null): string {
  if (value === null || value === "") return "";
  if (/[",\r\n]/.test(value) || value !== value.trim()) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

const CHUNK_CHARS = 64 * 1024;

function* csvChunks(rows: Iterable<SnapshotRow>): Generator<string> {
  let chunk = EXPORT_COLUMNS.map(csvCell).join(",") + "\n";
  for (const row of rows) {
    chunk += exportCells(row).map(csvCell).join(",") + "\n";
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

function* jsonChunks(rows: Iterable<SnapshotRow>): Generator<string> {
  let chunk = "[";
  let first = true;
  for (const row of rows) {
    const cells = exportCells(row);
    const object: Record<string, string> = {};
    EXPORT_COLUMNS.forEach((column, i) => {
      object[column] = cells[i] ?? "";
    });
    chunk += (first ? "\n" : ",\n") + JSON.stringify(object);
    first = false;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  yield chunk + (first ? "]\n" : "\n]\n");
}

async function writeChunks(chunks: Iterable<string>, file: string): Promise<void> {
  await pipeline(Readable.from(chunks), createWriteStream(file, { encoding: "utf8" }));
}

const MAX_UNZIPPED_BYTES = 4 * 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * exceljs's streaming writer does not apply backpressure: a committed row's XML is queued in
 * front of the zip compressor, and a fast producer would queue the whole sheet in memory.
 * Wait until the compressor has caught up. The queue is reached through exceljs internals
 * (worksheet.stream.pipes[0], the entry's PassThrough, and its buffered length); if that shape ever changes, we fall
 * back to yielding to the event loop.
 */
async function zipCatchUp(sheet: ExcelJS.Worksheet): Promise<void> {
  type Queue = { writableLength?: unknown; _writableState?: { length?: unknown } };
  const entry = (sheet as unknown as { stream?: { pipes?: Queue[] } }).stream?.pipes?.[0];
  const queued = (): number | undefined => {
    const length = entry?.writableLength ?? entry?._writableState?.length;
    return typeof length === "number" ? length : undefined;
  };
  if (queued() === undefined) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return;
  }
  for (let waited = 0; (queued() ?? 0) > MAX_UNZIPPED_BYTES && waited < 30_000; waited += 2) await sleep(2);
}

async function writeXlsx(rows: Iterable<SnapshotRow>, file: string, options: WriteSnapshotOptions): Promise<void> {
  const ExcelJS = await loadExcelJs();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useStyles: true,
    useSharedStrings: false,
    zip: { zlib: { level: 6 } },
  });
  const sheet = workbook.addWorksheet(USE_CASES_SHEET);
  sheet.columns = EXPORT_COLUMNS.map((column) => ({
    key: column,
    width: DATE_COLUMNS.has(column) ? 12 : Math.max(10, Math.min(40, column.length + 2)),
    ...(DATE_COLUMNS.has(column) ? { style: { numFmt: "yyyy-mm-dd" } } : {}),
  }));
  const dateIndexes = EXPORT_COLUMNS.flatMap((column, i) => (DATE_COLUMNS.has(column) ? [i] : []));
  const header = sheet.addRow([...EXPORT_COLUMNS]);
  header.font = { bold: true };
  header.commit();

  const seenTags: string[] = [];
  const seen = new Set<string>();
  let count = 0;
  for (const row of rows) {
    const values: Array<string | Date | null> = exportCells(row);
    for (const i of dateIndexes) {
      const iso = values[i];
      if (typeof iso === "string") values[i] = toDate(iso as IsoDate);
    }
    sheet.addRow(values).commit();
    for (const tag of row.tags) {
      if (!seen.has(tag)) {
        seen.add(tag);
        seenTags.push(tag);
      }
    }
    if (++count % 500 === 0) await zipCatchUp(sheet);
  }
  sheet.commit();

  const tagSheet = workbook.addWorksheet(TAGS_SHEET);
  tagSheet.getColumn(1).width = 36;
  const tagHeader = tagSheet.addRow([TAGS_SHEET_TITLE]);
  tagHeader.font = { bold: true };
  tagHeader.commit();
  for (const tag of options.tags ?? seenTags) tagSheet.addRow([tag]).commit();
  tagSheet.commit();
  await workbook.commit();
}

/** Writes `rows` to `file` as .csv, .json or .xlsx (by extension). */
export async function writeSnapshot(
  rows: Iterable<SnapshotRow>,
  file: string,
  options: WriteSnapshotOptions = {},
): Promise<void> {
  const extension = extname(file).toLowerCase();
  switch (extension) {
    case ".csv":
      return writeChunks(csvChunks(rows), file);
    case ".json":
      return writeChunks(jsonChunks(rows), file);
    case ".xlsx":
      return writeXlsx(rows, file, options);
    default:
      throw new Error(`writeSnapshot: unsupported file type "${extension || file}" (use .csv, .json or .xlsx)`);
  }
}
