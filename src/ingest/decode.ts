import { isUtf8 } from "node:buffer";
import path from "node:path";
import { AppError } from "../errors.js";

/**
 * The text encodings `lca-bot ingest --encoding` accepts for .csv and .json exports. UTF-8 is
 * the format's; the others are what Excel writes when a partner picks "CSV" rather than
 * "CSV UTF-8" on a Russian or Western European Windows.
 */
export const ENCODINGS = ["utf8", "cp1251", "latin1"] as const;
export type TextEncoding = (typeof ENCODINGS)[number];

const ALIASES: Record<string, TextEncoding> = {
  utf8: "utf8",
  "utf-8": "utf8",
  cp1251: "cp1251",
  "windows-1251": "cp1251",
  win1251: "cp1251",
  latin1: "latin1",
  "latin-1": "latin1",
  "iso-8859-1": "latin1",
  cp1252: "latin1",
  "windows-1252": "latin1",
};

/** "Windows-1251", "ISO-8859-1", "utf-8" → the encoding; undefined for any other name. */
export function parseEncoding(name: string): TextEncoding | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

/**
 * WHATWG labels for TextDecoder (Node 20 ships full ICU). "latin1" is windows-1252 there, a
 * superset of ISO-8859-1's printable characters: what Excel's "Latin-1" really is.
 */
const DECODER_LABEL: Record<Exclude<TextEncoding, "utf8">, string> = { cp1251: "windows-1251", latin1: "latin1" };

/**
 * Turns the bytes of a text export into text. UTF-8 is checked, not trusted: the first
 * invalid sequence stops the read with AppError("ingest.notUtf8") naming its byte offset and
 * line, so a Windows-1251 file is never read as mojibake. A UTF-8 BOM is dropped; a UTF-16
 * file (Excel's "Unicode Text") is refused by its BOM.
 */
export async function* decodeText(bytes: AsyncIterable<Buffer>, encoding: TextEncoding, file: string): AsyncGenerator<string> {
  for await (const chunk of utf8Bytes(bytes, encoding, file)) yield chunk.toString("utf8");
}

/**
 * The same as UTF-8 bytes, each chunk ending on a character boundary: what the CSV parser reads
 * without the detour of a string (which a Writable would encode back to bytes).
 */
export async function* utf8Bytes(bytes: AsyncIterable<Buffer>, encoding: TextEncoding, file: string): AsyncGenerator<Buffer> {
  if (encoding !== "utf8") {
    const decoder = new TextDecoder(DECODER_LABEL[encoding]);
    for await (const chunk of bytes) {
      const text = decoder.decode(chunk, { stream: true });
      if (text !== "") yield Buffer.from(text, "utf8");
    }
    const rest = decoder.decode();
    if (rest !== "") yield Buffer.from(rest, "utf8");
    return;
  }
  let offset = 0; // bytes of the file before `carry`
  let lines = 0; // line feeds before `carry`
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  for await (const chunk of bytes) {
    let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    if (first) {
      first = false;
      if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) throw new AppError("ingest.utf16", { file: path.basename(file) });
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
        data = data.subarray(3);
        offset = 3;
      }
    }
    const end = completeLength(data);
    const whole = data.subarray(0, end);
    if (!isUtf8(whole)) throw notUtf8(file, whole, offset, lines);
    lines += countLineFeeds(whole);
    offset += end;
    carry = Buffer.from(data.subarray(end)); // a character split between two chunks
    if (whole.length > 0) yield whole;
  }
  if (carry.length > 0) throw notUtf8(file, carry, offset, lines); // the file ends inside a character
}

function notUtf8(file: string, data: Buffer, offset: number, lines: number): AppError {
  const bad = firstInvalidByte(data);
  return new AppError("ingest.notUtf8", { file: path.basename(file), offset: offset + bad, line: lines + countLineFeeds(data.subarray(0, bad)) + 1 });
}

function countLineFeeds(data: Buffer): number {
  let count = 0;
  for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) count++;
  return count;
}

/** How many bytes a UTF-8 sequence starting with `lead` has (0: not a lead byte). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The length of `data` without a last character that the next chunk completes. */
function completeLength(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needed = sequenceLength(byte);
    return needed > back ? data.length - back : data.length;
  }
  return data.length;
}

/** The index of the first byte that breaks UTF-8 (the slow path, run once on failure). */
export function firstInvalidByte(data: Buffer): number {
  let i = 0;
  while (i < data.length) {
    const lead = data[i]!;
    const length = sequenceLength(lead);
    if (length === 0) return i;
    if (i + length > data.length) return i;
    for (let k = 1; k < length; k++) {
      const byte = data[i + k]!;
      if ((byte & 0xc0) !== 0x80) return i;
      // Overlong three-byte forms, surrogates, and code points past U+10FFFF.
      if (k === 1 && ((lead === 0xe0 && byte < 0xa0) || (lead === 0xed && byte > 0x9f) || (lead === 0xf0 && byte < 0x90) || (lead === 0xf4 && byte > 0x8f))) return i;
    }
    i += length;
  }
  return data.length;
}
