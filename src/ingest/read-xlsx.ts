/** An .xlsx snapshot: its use-case sheet streamed through the guarded exceljs reader, each row a sheet row. */
import { createReadStream } from "node:fs";
import path from "node:path";
import { AppError, isAppError } from "../errors.js";
import { tabular, unreadable, type ReadState, type SheetRow, type SourceItem } from "./read-source.js";
import { checkXlsxDirectory, guardedWorkbookReader, XLSX_LIMITS } from "./xlsx-guard.js";
import { loadExcelJs } from "../exceljs.js";

export function xlsxSource(file: string, state: ReadState): AsyncIterable<SourceItem> {
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
  await loadExcelJs(); // before the file is opened: a failed load leaves no descriptor behind
  const input = createReadStream(file);
  // Styles are needed to recognise date cells; shared strings must be cached because
  // rows refer to them by index (they are one table per workbook, not per row).
  // Every part passes a guard that refuses it past XLSX_LIMITS (xlsx-guard.ts).
  const workbook = await guardedWorkbookReader(input, file, { worksheets: "emit", sharedStrings: "cache", styles: "cache", hyperlinks: "ignore", entries: "ignore" }, layout);
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
