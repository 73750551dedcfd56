import { open } from "node:fs/promises";
import path from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { loadExcelJs, type ExcelJS } from "../exceljs.js";
import { AppError } from "../errors.js";

/**
 * What an .xlsx may unpack to. A workbook is a zip of XML parts; a part of a few megabytes
 * can inflate a thousandfold ("zip bomb"). Worksheets are streamed, so their limit bounds
 * time, not memory: a 200,000-row export written with inline strings unpacks to a 226 MB
 * sheet, and Excel's 1,048,576 rows fit under 1.5 GB. The shared-string table is held in
 * memory whole (rows refer to it by index): an export's is a few tens of MB.
 */
export const XLSX_LIMITS = {
  /** The shared-string table (xl/sharedStrings.xml), unpacked. */
  sharedStringsBytes: 128 * 1024 * 1024,
  /** Any other part (a worksheet, styles), unpacked. */
  partBytes: 1536 * 1024 * 1024,
  /** Every part together, unpacked. */
  totalBytes: 2048 * 1024 * 1024,
  /**
   * Bytes of XML between two tags: one text node (a cell's string) or one tag. A cell holds
   * at most 2,000 characters (columns.ts), at most some 40 KB escaped; beyond this the part
   * is refused before the XML parser has to hold the text.
   */
  textRunBytes: 1024 * 1024,
  /** Parts in the archive. */
  entries: 10_000,
  /** Excel's own sheet size. */
  rows: 1_048_576,
  columns: 16_384,
};

const MB = 1024 * 1024;
const showBytes = (bytes: number) => `${Math.round(bytes / MB)} MB`;

function tooLarge(file: string, part: string, max: string, what: string): AppError {
  return new AppError("ingest.tooLarge", { file: path.basename(file), part, max, what });
}

function partLimit(name: string): number {
  return name === "xl/sharedStrings.xml" ? XLSX_LIMITS.sharedStringsBytes : XLSX_LIMITS.partBytes;
}

/**
 * Reads the archive's table of contents (the zip central directory at its end) and refuses
 * a workbook whose parts say they unpack past XLSX_LIMITS, before a byte is inflated. Sizes
 * there can lie: the streaming guard below counts what really comes out. An archive whose
 * directory cannot be read is left to the reader, which reports it as unreadable.
 */
export async function checkXlsxDirectory(file: string): Promise<XlsxLayout | undefined> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0 || eocd + 22 > tail.length) return undefined;
    let entries = tail.readUInt16LE(eocd + 10);
    let directorySize = tail.readUInt32LE(eocd + 12);
    let directoryOffset = tail.readUInt32LE(eocd + 16);
    if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      // ZIP64: the locator stands just before the classic record.
      const locator = eocd - 20;
      if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) return undefined;
      const record = Buffer.alloc(56);
      await handle.read(record, 0, 56, Number(tail.readBigUInt64LE(locator + 8)));
      if (record.readUInt32LE(0) !== 0x06064b50) return undefined;
      entries = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
    }
    if (entries > XLSX_LIMITS.entries) throw tooLarge(file, "the archive", `${XLSX_LIMITS.entries} parts`, `${entries} parts`);
    if (directorySize > 64 * MB || directoryOffset + directorySize > size) return undefined;
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    let total = 0;
    const parts: { name: string; offset: number }[] = [];
    for (let at = 0, n = 0; n < entries && at + 46 <= directory.length; n++) {
      if (directory.readUInt32LE(at) !== 0x02014b50) return undefined;
      let unpacked = directory.readUInt32LE(at + 24);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      const name = directory.toString("utf8", at + 46, at + 46 + nameLength);
      parts.push({ name, offset: directory.readUInt32LE(at + 42) });
      if (unpacked === 0xffffffff) unpacked = zip64Size(directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength)) ?? Number.MAX_SAFE_INTEGER;
      const limit = partLimit(name);
      if (unpacked > limit) throw tooLarge(file, name, showBytes(limit), `${showBytes(unpacked)} by the archive's own count`);
      total += unpacked;
      if (total > XLSX_LIMITS.totalBytes) throw tooLarge(file, "the workbook", showBytes(XLSX_LIMITS.totalBytes), `${showBytes(total)} by the archive's own count`);
      at += 46 + nameLength + extraLength + commentLength;
    }
    return { parts: parts.sort((a, b) => a.offset - b.offset).map((part) => part.name) };
  } finally {
    await handle.close();
  }
}

/** The parts of an archive in the order they are stored (which is the order they stream in). */
export interface XlsxLayout {
  parts: string[];
}

/** The uncompressed size from a ZIP64 extended-information extra field. */
function zip64Size(extra: Buffer): number | undefined {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001 && length >= 8) return Number(extra.readBigUInt64LE(at + 4));
    at += 4 + length;
  }
  return undefined;
}

/** What every part of one workbook has unpacked to so far. */
class Budget {
  total = 0;
  constructor(readonly file: string) {}
}

/**
 * Passes a part's XML through while counting: its bytes against its limit and the
 * workbook's, and the longest run between two '<' against textRunBytes. Fails the stream
 * with AppError("ingest.tooLarge") at the first breach, so the XML parser never holds more.
 */
class PartGuard extends Transform {
  private bytes = 0;
  private run = 0;
  constructor(
    private readonly budget: Budget,
    private readonly part: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const problem = this.check(chunk);
    if (problem) callback(problem);
    else callback(null, chunk);
  }

  check(chunk: Buffer): AppError | undefined {
    this.bytes += chunk.length;
    this.budget.total += chunk.length;
    const limit = partLimit(this.part);
    if (this.bytes > limit) return tooLarge(this.budget.file, this.part, showBytes(limit), "counted while reading");
    if (this.budget.total > XLSX_LIMITS.totalBytes) return tooLarge(this.budget.file, "the workbook", showBytes(XLSX_LIMITS.totalBytes), "counted while reading");
    let from = 0;
    for (;;) {
      const tag = chunk.indexOf(0x3c, from); // '<'
      if (tag === -1) {
        this.run += chunk.length - from;
        break;
      }
      this.run += tag - from;
      if (this.run > XLSX_LIMITS.textRunBytes) break;
      this.run = 0;
      from = tag + 1;
    }
    if (this.run > XLSX_LIMITS.textRunBytes) return tooLarge(this.budget.file, this.part, showBytes(XLSX_LIMITS.textRunBytes), "one text or tag");
    return undefined;
  }
}

type Entry = NodeJS.ReadableStream & { path?: string };

/** The internals of exceljs's streaming WorkbookReader that the guard wraps (exceljs 4.4). */
interface ReaderInternals {
  _parseSharedStrings(entry: Entry): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<Buffer>, sheetNo: string): Generator<unknown>;
  _parseStyles(entry: Entry): Promise<void>;
  _parseWorkbook(entry: Entry): Promise<void>;
  _parseRels(entry: Entry): Promise<void>;
}

type ReaderClass = new (input: NodeJS.ReadableStream, options: Record<string, string>) => ExcelJS.stream.xlsx.WorkbookReader & ReaderInternals;

function guardEntry(entry: Entry, budget: Budget, part: string): Entry {
  const guard = new PartGuard(budget, part);
  entry.on("error", (error: Error) => guard.destroy(error));
  return entry.pipe(guard) as unknown as Entry;
}

async function* guardChunks(chunks: AsyncIterable<Buffer>, budget: Budget, part: string): AsyncGenerator<Buffer> {
  const guard = new PartGuard(budget, part);
  for await (const chunk of chunks) {
    const problem = guard.check(chunk);
    if (problem) throw problem;
    yield chunk;
  }
}

/**
 * exceljs's streaming reader with every part it parses passed through a PartGuard. The
 * parts arrive at these methods (exceljs 4.4's WorkbookReader.parse).
 *
 * exceljs copies a worksheet that streams in before the shared strings (or before the
 * workbook's relationships) to a temporary file, unguarded, and parses it afterwards. A
 * workbook without shared strings, the common case for generated exports, would always take
 * that path: `layout` (from the directory) says there are none, and the table starts empty,
 * so sheets stream through the guard. A sheet stored before the shared strings is bounded on
 * disk only by the archive's own (checked) sizes, and counted when it is read back.
 */
export async function guardedWorkbookReader(input: NodeJS.ReadableStream, file: string, options: Record<string, string>, layout: XlsxLayout | undefined): Promise<ExcelJS.stream.xlsx.WorkbookReader> {
  const BaseReader = (await loadExcelJs()).stream.xlsx.WorkbookReader as unknown as ReaderClass;
  const budget = new Budget(file);
  class GuardedReader extends BaseReader {
    override _parseSharedStrings(entry: Entry) {
      return super._parseSharedStrings(guardEntry(entry, budget, "xl/sharedStrings.xml"));
    }
    override _parseWorksheet(iterator: AsyncIterable<Buffer>, sheetNo: string) {
      return super._parseWorksheet(guardChunks(iterator, budget, `xl/worksheets/sheet${sheetNo}.xml`), sheetNo);
    }
    override _parseStyles(entry: Entry) {
      return super._parseStyles(guardEntry(entry, budget, "xl/styles.xml"));
    }
    override _parseWorkbook(entry: Entry) {
      return super._parseWorkbook(guardEntry(entry, budget, "xl/workbook.xml"));
    }
    override _parseRels(entry: Entry) {
      return super._parseRels(guardEntry(entry, budget, "xl/_rels/workbook.xml.rels"));
    }
  }
  const reader = new GuardedReader(input, options);
  if (layout && !layout.parts.includes("xl/sharedStrings.xml")) (reader as unknown as { sharedStrings: unknown[] }).sharedStrings = [];
  return reader;
}
