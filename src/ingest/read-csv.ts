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

/** The file's line break, from its first one: Excel writes CRLF, most other tools LF. Undefined until the text holds a line feed. */
function newlineOf(text: string, whole: boolean): Newline | undefined {
  const lf = text.indexOf("\n");
  if (lf > 0 && text[lf - 1] === "\r") return "\r\n";
  if (lf !== -1) return "\n";
  if (!whole) return undefined;
  return text.includes("\r") ? "\r" : "\n";
}

async function* csvRows(file: string, encoding: TextEncoding): AsyncGenerator<SheetRow> {
  const input = createReadStream(file);
  try {
    // Chunks end on a character boundary (utf8Bytes), so each decodes on its own.
    yield* csvRecords(decoded(utf8Bytes(input, encoding, file)), file);
  } finally {
    input.destroy();
  }
}

async function* decoded(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  for await (const chunk of chunks) yield chunk.toString("utf8");
}

/**
 * The records of a CSV text given in chunks, in order. Papa Parse's core parser (several
 * times faster than csv-parse on a 200,000-row export) parses the whole records of the text
 * it is given and says where the last one ended; the rest waits for the next chunk, and the
 * parser's complaints about that unfinished record (a chunk that ends between a closing
 * quote and its line break) wait with it. A record that never ends (an unclosed quote) is
 * caught by its length. `file` names the file in errors.
 */
export async function* csvRecords(chunks: AsyncIterable<string>, file: string): AsyncGenerator<SheetRow> {
  let parser: Papa.Parser | undefined;
  let rest = "";
  let rowNumber = 0;
  let width: number | undefined;
  function* records(text: string, last: boolean): Generator<SheetRow> {
    const newline = parser ? undefined : newlineOf(text, last);
    if (!parser && !newline) {
      rest = text; // not one line break yet: the header goes on in the next chunk
      if (rest.length > MAX_CSV_RECORD_CHARS) throw recordTooLong(file, 1);
      return;
    }
    parser ??= new Papa.Parser({ delimiter: ",", quoteChar: '"', escapeChar: '"', newline });
    const parsed = parser.parse(text, 0, !last) as Papa.ParseResult<string[]>;
    const error = parsed.errors.find((e) => last || e.row! < parsed.data.length);
    if (error) throw unreadable(file, `row ${rowNumber + error.row! + 1}: ${error.message.toLowerCase()}`);
    rest = last ? "" : text.slice(parsed.meta.cursor);
    if (rest.length > MAX_CSV_RECORD_CHARS) throw recordTooLong(file, rowNumber + parsed.data.length + 1);
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
  for await (const chunk of chunks) yield* records(rest + chunk, false);
  // The last record needs no line break after it; a file ending in one yields a blank record, skipped like any blank row.
  if (rest !== "") yield* records(rest, true);
}

function recordTooLong(file: string, line: number): AppError {
  return new AppError("ingest.recordTooLong", { file: path.basename(file), line, max: MAX_CSV_RECORD_CHARS });
}
