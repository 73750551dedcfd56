import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import type { RowProblem, SnapshotRow } from "../domain/snapshot.js";
import { AppError, isAppError } from "../errors.js";
import { mapHeader, toCellRecord, type CellRecord, type HeaderMap } from "./columns.js";
import { decodeText, utf8Bytes, type TextEncoding } from "./decode.js";
import { jsonElements } from "./json-elements.js";
import { cellText, OversizedText, shownValue, TooDeep, validateRow, type ProblemKey } from "./row.js";
import { checkXlsxDirectory, guardedWorkbookReader, XLSX_LIMITS } from "./xlsx-guard.js";

export type SnapshotFormat = "csv" | "xlsx" | "json";

export type RowResult = { ok: true; row: SnapshotRow } | { ok: false; problems: RowProblem[] };

/**
 * One snapshot file being read. Nothing is read until `rows` is iterated, and the file is
 * streamed: memory grows with the number of distinct deployments (for the cross-row
 * checks), not with the size of the file.
 */
export interface Snapshot {
  readonly file: string;
  readonly format: SnapshotFormat;
  /**
   * Every data row in file order, validated, plus the header's problems (missing or
   * repeated columns) as one first failed result after which nothing more is read.
   * Iterate once. Throws AppError("ingest.unreadable") when the file cannot be read, and a
   * coded AppError when it is hostile as a whole: "ingest.notUtf8", "ingest.utf16",
   * "ingest.recordTooLong", "ingest.tooLarge", "ingest.tooManyRows". A hostile cell is a
   * row problem (row.ts, cellHazard), never an exception.
   */
  readonly rows: AsyncIterable<RowResult>;
  /** Header texts that are not LCA columns, each once; complete once `rows` is done. */
  unknownColumns(): string[];
  /** Data rows met so far (fully empty rows are skipped, not counted); the total once `rows` is done. */
  rowCount(): number;
}

const FORMATS: Record<string, SnapshotFormat> = { ".csv": "csv", ".xlsx": "xlsx", ".json": "json" };

export interface ReadOptions {
  /** The text encoding of a .csv or .json export (default UTF-8, checked); ignored for .xlsx. */
  encoding?: TextEncoding;
}

/**
 * Checks that the file exists and has a known extension; throws AppError("ingest.unreadable")
 * if not. An .xlsx whose archive says it unpacks past XLSX_LIMITS is refused here
 * (AppError("ingest.tooLarge")), before anything is inflated.
 */
export async function openSnapshot(file: string, options: ReadOptions = {}): Promise<Snapshot> {
  const format = FORMATS[path.extname(file).toLowerCase()];
  if (!format) throw unreadable(file, `unsupported file type "${path.extname(file)}": use .xlsx, .csv or .json`);
  await assertFile(file);
  if (format === "xlsx") await checkXlsxDirectory(file);
  const state: ReadState = { unknown: [], rows: 0, encoding: options.encoding ?? "utf8" };
  return {
    file,
    format,
    rows: validated(guarded(file, SOURCES[format](file, state)), state),
    unknownColumns: () => [...state.unknown],
    rowCount: () => state.rows,
  };
}

/** The rows of a snapshot file, for callers that need neither the unknown columns nor the count. */
export async function* readSnapshot(file: string, options: ReadOptions = {}): AsyncGenerator<RowResult> {
  yield* (await openSnapshot(file, options)).rows;
}

function unreadable(file: string, reason: string, cause?: unknown): AppError {
  return new AppError("ingest.unreadable", { file: path.basename(file), reason }, cause);
}

async function assertFile(file: string): Promise<void> {
  const stats = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(file, error.code === "ENOENT" ? "file not found" : error.message, error);
  });
  if (!stats.isFile()) throw unreadable(file, "not a file");
}

// ---------------------------------------------------------------------------------------
// Sources: each format turns the file into data rows with their cells keyed by field.

interface ReadState {
  unknown: string[];
  rows: number;
  encoding: TextEncoding;
}

type SourceItem =
  /** A data row; `problems` are found before validation (a JSON key given twice). */
  | { kind: "row"; rowNumber: number; record: CellRecord; problems: RowProblem[] }
  /** A data row that has no cells at all (a JSON element that is not an object). */
  | { kind: "shapeless"; problems: RowProblem[] }
  /** The header is unusable: the source stops after this. */
  | { kind: "header"; problems: RowProblem[] };

type Source = (file: string, state: ReadState) => AsyncIterable<SourceItem>;

const SOURCES: Record<SnapshotFormat, Source> = { csv: csvSource, xlsx: xlsxSource, json: jsonSource };

/** A spreadsheet row as the CSV and Excel readers see it. */
export interface SheetRow {
  rowNumber: number;
  cells: readonly unknown[];
}

function isBlankRow(cells: readonly unknown[]): boolean {
  return cells.every((cell) => cellText(cell) === "");
}

function addUnknown(state: ReadState, header: HeaderMap): void {
  for (const name of header.unknown) if (!state.unknown.includes(name)) state.unknown.push(name);
}

/** CSV and Excel: the first non-empty row is the header, the rest are data rows. */
async function* tabular(rows: AsyncIterable<SheetRow>, state: ReadState): AsyncGenerator<SourceItem> {
  let header: HeaderMap | undefined;
  for await (const { rowNumber, cells } of rows) {
    if (isBlankRow(cells)) continue;
    if (header) {
      yield { kind: "row", rowNumber, record: toCellRecord(header.fields, cells), problems: [] };
      continue;
    }
    header = mapHeader(cells.map((cell) => cellText(cell) ?? ""), rowNumber);
    addUnknown(state, header);
    const problems = [...header.missing, ...header.duplicates];
    if (problems.length > 0) {
      yield { kind: "header", problems };
      return;
    }
  }
  // A file without even a header row lacks every required column.
  if (!header) yield { kind: "header", problems: mapHeader([], 1).missing };
}

function csvSource(file: string, state: ReadState): AsyncIterable<SourceItem> {
  return tabular(csvRows(file, state.encoding), state);
}

/**
 * The longest CSV record read: a row of the widest legal cells is some 12,000 characters
 * (columns.ts), so anything near this is not an LCA row, and csv-parse stops instead of
 * buffering a field of gigabytes.
 */
export const MAX_CSV_RECORD_CHARS = 1_000_000;

/** The file's text as UTF-8, decoded (and checked, for UTF-8) on its way to a parser. */
function textOf(file: string, encoding: TextEncoding): Readable {
  const input = createReadStream(file);
  const text = Readable.from(utf8Bytes(input, encoding, file), { objectMode: false });
  text.once("close", () => input.destroy());
  return text;
}

async function* csvRows(file: string, encoding: TextEncoding): AsyncGenerator<SheetRow> {
  const text = textOf(file, encoding);
  // Blank lines stay in as one-cell records so that row numbers are the ones Excel shows;
  // that is why the column count is checked here rather than by csv-parse.
  const parser = parseCsv({ bom: true, relax_column_count: true, max_record_size: MAX_CSV_RECORD_CHARS });
  text.on("error", (error) => parser.destroy(error)); // surfaces through the iteration below
  let rowNumber = 0;
  let width: number | undefined;
  try {
    for await (const cells of text.pipe(parser) as AsyncIterable<string[]>) {
      rowNumber++;
      if (!isBlankRow(cells)) {
        width ??= cells.length;
        // A ragged row would put values under the wrong columns: the file is malformed.
        if (cells.length !== width) throw unreadable(file, `row ${rowNumber} has ${cells.length} cells but the header has ${width}`);
      }
      yield { rowNumber, cells };
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "CSV_MAX_RECORD_SIZE") {
      throw new AppError("ingest.recordTooLong", { file: path.basename(file), line: (error as { lines?: number }).lines ?? rowNumber + 1, max: MAX_CSV_RECORD_CHARS }, error);
    }
    throw error;
  } finally {
    text.destroy();
  }
}

function xlsxSource(file: string, state: ReadState): AsyncIterable<SourceItem> {
  return tabular(xlsxRowsSettled(file), state);
}

const USE_CASES_SHEET = "use cases";
/** Excel cuts sheet names at 31 characters: "Partner-Provided Segmentation T". */
const TAGS_SHEET_PREFIX = "partner-provided segmentation";

function sheetKey(name: string): string {
  return name.trim().toLowerCase();
}

/** "Use Cases", else the first worksheet that is not the list of segmentation tags. */
export function chooseSheet(names: readonly string[]): string | undefined {
  return names.find((name) => sheetKey(name) === USE_CASES_SHEET) ?? names.find((name) => !sheetKey(name).startsWith(TAGS_SHEET_PREFIX));
}

/** What the streaming reader knows at run time but its type declarations omit. */
interface StreamedWorkbook {
  model?: { sheets?: { name: string }[] };
  properties?: { model?: { date1904?: boolean } };
}
interface StreamedWorksheet {
  name?: string;
}

/**
 * exceljs's streaming reader now and then loses zip entries under CPU load (its unzip stream
 * ends early: "no worksheet", or a sheet without its workbook). Seen in tests, not in the
 * file. A read that fails before its first row is tried again from the start; once rows
 * have been handed on, a failure is final.
 */
export async function* xlsxRowsSettled(file: string, attempts = 3, read: (file: string) => AsyncIterable<SheetRow> = xlsxRows): AsyncGenerator<SheetRow> {
  for (let attempt = 1; ; attempt++) {
    let yielded = false;
    try {
      for await (const row of read(file)) {
        yielded = true;
        yield row;
      }
      return;
    } catch (error) {
      // A refusal (a zip bomb, a sheet past Excel's size) is about the file: never retried.
      if (yielded || attempt >= attempts || isAppError(error)) throw error;
    }
  }
}

async function* xlsxRows(file: string): AsyncGenerator<SheetRow> {
  const layout = await checkXlsxDirectory(file); // which parts there are, in their order
  const input = createReadStream(file);
  // Styles are needed to recognise date cells; shared strings must be cached because
  // rows refer to them by index (they are one table per workbook, not per row).
  // Every part passes a guard that refuses it past XLSX_LIMITS (xlsx-guard.ts).
  const workbook = guardedWorkbookReader(input, file, { worksheets: "emit", sharedStrings: "cache", styles: "cache", hyperlinks: "ignore", entries: "ignore" }, layout);
  // exceljs reads `model.sheets` and `properties.model` (the 1904 date system) from
  // workbook.xml when it hands out a worksheet, and crashes when it has not seen workbook.xml
  // (stored after the sheets, or, seen under load, not delivered by its unzip stream at all):
  // start with empty ones, which workbook.xml replaces when it comes. Sheets are then judged
  // by their own names, and dates use the 1900 system Excel writes by default.
  const streamed = workbook as unknown as StreamedWorkbook;
  streamed.model ??= { sheets: [] };
  streamed.properties ??= {};
  try {
    let target: string | undefined;
    for await (const worksheet of workbook) {
      const name = (worksheet as unknown as StreamedWorksheet).name ?? "";
      // The sheet list (workbook.xml) is known by the time a worksheet is handed out, unless
      // the archive stores it after the sheets: then each sheet is judged by its own name.
      const names = streamed.model?.sheets?.map((sheet) => sheet.name) ?? [];
      target ??= chooseSheet(names.length > 0 ? names : [name]);
      if (name !== target) {
        await drain(worksheet);
        continue;
      }
      for await (const row of worksheet) {
        if (row.number > XLSX_LIMITS.rows) throw new AppError("ingest.tooManyRows", { file: path.basename(file), max: XLSX_LIMITS.rows });
        // `values` is indexed by column: a cell at column 10,000,000 would make it that long.
        const width = Array.isArray(row.values) ? row.values.length : 0;
        if (width > XLSX_LIMITS.columns + 1) throw new AppError("ingest.tooLarge", { file: path.basename(file), part: `row ${row.number}`, max: `${XLSX_LIMITS.columns} columns`, what: `a cell in column ${width - 1}` });
        yield { rowNumber: row.number, cells: excelCells(row.values) };
      }
      return;
    }
    throw unreadable(file, "the workbook has no worksheet to read");
  } finally {
    input.destroy();
  }
}

/**
 * Reads a worksheet we do not want to its end. exceljs parks worksheets that precede the
 * shared strings in temporary files and deletes each file once the next is asked for; a
 * worksheet left unread would then fail to open its deleted file, outside any try.
 */
async function drain(worksheet: AsyncIterable<unknown>): Promise<void> {
  for await (const row of worksheet) void row;
}

/** `row.values` is 1-based and sparse; cells become plain values (rich text → text, formula → result). */
function excelCells(values: unknown): unknown[] {
  return Array.isArray(values) ? Array.from(values.slice(1), excelValue) : [];
}

function excelValue(value: unknown): unknown {
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if ("richText" in value && Array.isArray(value.richText)) return value.richText.map((run: { text?: unknown }) => String(run.text ?? "")).join("");
  if ("text" in value) return excelValue(value.text); // a hyperlink, e.g. mailto: on an email
  if ("result" in value) return excelValue(value.result); // a formula: its cached result
  if ("error" in value) return value.error; // "#N/A" and the like: shown as text
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof TooDeep) && !(value instanceof OversizedText);
}

/**
 * JSON: each element is a row, numbered from 1. The first object's keys stand for the
 * header (the format says every object has the same keys); later objects may leave a key
 * out, which reads as an empty cell.
 */
async function* jsonSource(file: string, state: ReadState): AsyncGenerator<SourceItem> {
  const input = createReadStream(file);
  try {
    yield* jsonRows(jsonElements(decodeText(input, state.encoding, file), path.basename(file)), state);
  } finally {
    input.destroy();
  }
}

async function* jsonRows(elements: AsyncIterable<{ rowNumber: number; value: unknown }>, state: ReadState): AsyncGenerator<SourceItem> {
  let headerChecked = false;
  for await (const { rowNumber, value } of elements) {
    if (!isObject(value)) {
      yield { kind: "shapeless", problems: [{ row: rowNumber, column: "", key: "notAnObject" satisfies ProblemKey, params: { value: shownValue(value) } }] };
      continue;
    }
    const keys = Object.keys(value);
    const header = mapHeader(keys, rowNumber);
    addUnknown(state, header);
    if (!headerChecked) {
      headerChecked = true;
      const problems = [...header.missing, ...header.duplicates];
      if (problems.length > 0) {
        yield { kind: "header", problems };
        return;
      }
    }
    yield { kind: "row", rowNumber, record: toCellRecord(header.fields, keys.map((key) => value[key])), problems: header.duplicates };
  }
}

// ---------------------------------------------------------------------------------------
// Validation and the checks that span rows.

/** Turns a failure of the file itself into AppError("ingest.unreadable"); validation errors are not caught here. */
async function* guarded<T>(file: string, source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw isAppError(error) ? error : unreadable(file, error instanceof Error ? error.message : String(error), error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.(); // closes the file when the caller stops early
  }
}

async function* validated(items: AsyncIterable<SourceItem>, state: ReadState): AsyncGenerator<RowResult> {
  const crossRow = new CrossRowChecks();
  for await (const item of items) {
    if (item.kind === "header") {
      yield { ok: false, problems: item.problems };
      continue;
    }
    state.rows++;
    if (item.kind === "shapeless") {
      yield { ok: false, problems: item.problems };
      continue;
    }
    const result = validateRow(item.record, item.rowNumber);
    const problems = [...item.problems, ...(result.ok ? crossRow.check(result.row) : result.problems)];
    yield result.ok && problems.length === 0 ? result : { ok: false, problems };
  }
}

interface DeploymentSeen {
  crPartyId: string;
  firstRow: number;
  /** Use case (architecture, domain, use case) → the row it first appeared in. */
  useCases: Map<string, number>;
}

/**
 * Finds valid rows that repeat a use-case deployment or move a deployment to another
 * customer. It keeps one small entry per deployment; the repeated texts (customer ids,
 * use-case names) are shared through a pool so that 200,000 rows do not hold 200,000
 * copies of "Networking · Campus Network · Campus Network Automation".
 */
class CrossRowChecks {
  private readonly deployments = new Map<string, DeploymentSeen>();
  private readonly pool = new Map<string, string>();

  check(row: SnapshotRow): RowProblem[] {
    const useCase = this.shared(`${row.architecture}\u0000${row.solutionDomain}\u0000${row.useCase}`);
    const seen = this.deployments.get(row.deploymentId);
    if (!seen) {
      this.deployments.set(row.deploymentId, { crPartyId: this.shared(row.crPartyId), firstRow: row.rowNumber, useCases: new Map([[useCase, row.rowNumber]]) });
      return [];
    }
    const problems: RowProblem[] = [];
    if (seen.crPartyId !== row.crPartyId) {
      problems.push({
        row: row.rowNumber,
        column: "CR Party ID",
        key: "deploymentMovedCustomer" satisfies ProblemKey,
        params: { value: row.crPartyId, deploymentId: row.deploymentId, otherCrPartyId: seen.crPartyId, firstRow: seen.firstRow },
      });
    }
    const firstRow = seen.useCases.get(useCase);
    if (firstRow === undefined) seen.useCases.set(useCase, row.rowNumber);
    else problems.push({ row: row.rowNumber, column: "Use Case", key: "duplicateRow" satisfies ProblemKey, params: { firstRow } });
    return problems;
  }

  private shared(text: string): string {
    const pooled = this.pool.get(text);
    if (pooled !== undefined) return pooled;
    this.pool.set(text, text);
    return text;
  }
}
