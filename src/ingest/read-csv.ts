/** A .csv snapshot: its text decoded, parsed by Papa Parse, each record a sheet row. */
import { createReadStream } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { AppError } from "../errors.js";
import { utf8Bytes, type TextEncoding } from "./decode.js";
import { isBlankRow, tabular, unreadable, type ReadState, type SheetRow, type SourceItem } from "./read-source.js";

export function csvSource(file: string, state: ReadState): AsyncIterable<SourceItem> {
  return tabular(csvRows(file, state.encoding), state);
}

/**
 * The longest CSV record read: a row of the widest legal cells is some 12,000 characters
 * (columns.ts), so anything near this is not an LCA row, and the reader stops instead of
 * buffering a field of gigabytes.
 */
export const MAX_CSV_RECORD_CHARS = 1_000_000;

type Newline = "\r\n" | "\n" | "\r";

/** The file's line break, from its first one: Excel writes CRLF, most other tools LF. */
function newlineOf(text: string): Newline {
  const lf = text.indexOf("\n");
  if (lf > 0 && text[lf - 1] === "\r") return "\r\n";
  if (lf !== -1) return "\n";
  return text.includes("\r") ? "\r" : "\n";
}

/**
 * Records in file order. Papa Parse's core parser is fed the text a chunk at a time (it is
 * several times faster than csv-parse on a 200,000-row export): each call parses the whole
 * records of the text it is given and says where the last one ended, and the rest waits for
 * the next chunk. A record that never ends (an unclosed quote) is caught by its length.
 */
async function* csvRows(file: string, encoding: TextEncoding): AsyncGenerator<SheetRow> {
  const input = createReadStream(file);
  let parser: Papa.Parser | undefined;
  let rest = "";
  let rowNumber = 0;
  let width: number | undefined;
  function* records(text: string, last: boolean): Generator<SheetRow> {
    parser ??= new Papa.Parser({ delimiter: ",", quoteChar: '"', escapeChar: '"', newline: newlineOf(text) });
    const parsed = parser.parse(text, 0, !last) as Papa.ParseResult<string[]>;
    if (parsed.errors.length > 0) {
      const error = parsed.errors[0]!;
      throw unreadable(file, `row ${rowNumber + error.row! + 1}: ${error.message.toLowerCase()}`);
    }
    rest = last ? "" : text.slice(parsed.meta.cursor);
    if (rest.length > MAX_CSV_RECORD_CHARS) {
      throw new AppError("ingest.recordTooLong", { file: path.basename(file), line: rowNumber + parsed.data.length + 1, max: MAX_CSV_RECORD_CHARS });
    }
    for (const cells of parsed.data) {
      rowNumber++;
      if (!isBlankRow(cells)) {
        width ??= cells.length;
        // A ragged row would put values under the wrong columns: the file is malformed.
        if (cells.length !== width) throw unreadable(file, `row ${rowNumber} has ${cells.length} cells but the header has ${width}`);
      }
      yield { rowNumber, cells };
    }
  }
  try {
    // Chunks end on a character boundary (utf8Bytes), so each decodes on its own.
    for await (const chunk of utf8Bytes(input, encoding, file)) yield* records(rest + chunk.toString("utf8"), false);
    // The last record needs no line break after it; a file ending in one yields a blank record, skipped like any blank row.
    if (rest !== "") yield* records(rest, true);
  } finally {
    input.destroy();
  }
}
