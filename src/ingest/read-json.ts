/** A .json snapshot: an array of objects, each element a data row. */
import { createReadStream } from "node:fs";
import path from "node:path";
import { mapHeader, toCellRecord } from "./columns.js";
import { decodeText } from "./decode.js";
import { jsonElements } from "./json-elements.js";
import { addUnknown, type ReadState, type SourceItem } from "./read-source.js";
import { OversizedText, shownValue, TooDeep, type ProblemKey } from "./row.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof TooDeep) && !(value instanceof OversizedText);
}

/**
 * JSON: each element is a row, numbered from 1. The first object's keys stand for the
 * header (the format says every object has the same keys); later objects may leave a key
 * out, which reads as an empty cell.
 */
export async function* jsonSource(file: string, state: ReadState): AsyncGenerator<SourceItem> {
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
