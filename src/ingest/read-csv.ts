/** A .csv snapshot: its text decoded, parsed by csv-parse, each record a sheet row. */
import { createReadStream } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import { AppError } from "../errors.js";
import { utf8Bytes, type TextEncoding } from "./decode.js";
import { isBlankRow, tabular, unreadable, type ReadState, type SheetRow, type SourceItem } from "./read-source.js";

export function csvSource(file: string, state: ReadState): AsyncIterable<SourceItem> {
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
