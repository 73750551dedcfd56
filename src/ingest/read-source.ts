/** What every snapshot source (read-csv, read-xlsx, read-json) hands to read.ts: data rows with their cells keyed by field. */
import path from "node:path";
import type { RowProblem } from "../domain/snapshot.js";
import { AppError } from "../errors.js";
import { mapHeader, toCellRecord, type CellRecord, type HeaderMap } from "./columns.js";
import type { TextEncoding } from "./decode.js";
import { cellText } from "./row.js";

export function unreadable(file: string, reason: string, cause?: unknown): AppError {
  return new AppError("ingest.unreadable", { file: path.basename(file), reason }, cause);
}

export interface ReadState {
  unknown: string[];
  rows: number;
  encoding: TextEncoding;
}

export type SourceItem =
  /** A data row; `problems` are found before validation (a JSON key given twice). */
  | { kind: "row"; rowNumber: number; record: CellRecord; problems: RowProblem[] }
  /** A data row that has no cells at all (a JSON element that is not an object). */
  | { kind: "shapeless"; problems: RowProblem[] }
  /** The header is unusable: the source stops after this. */
  | { kind: "header"; problems: RowProblem[] };

export type Source = (file: string, state: ReadState) => AsyncIterable<SourceItem>;

/** A spreadsheet row as the CSV and Excel readers see it. */
export interface SheetRow {
  rowNumber: number;
  cells: readonly unknown[];
}

export function isBlankRow(cells: readonly unknown[]): boolean {
  return cells.every((cell) => cellText(cell) === "");
}

export function addUnknown(state: ReadState, header: HeaderMap): void {
  for (const name of header.unknown) if (!state.unknown.includes(name)) state.unknown.push(name);
}

/** CSV and Excel: the first non-empty row is the header, the rest are data rows. */
export async function* tabular(rows: AsyncIterable<SheetRow>, state: ReadState): AsyncGenerator<SourceItem> {
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
