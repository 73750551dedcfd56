import { readFile, writeFile } from "node:fs/promises";
import zlib from "node:zlib";
import JSZip from "jszip";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import { row } from "./rows.js";

/**
 * .xlsx zip bombs, built at run time (a committed bomb would be a hazard in the repository).
 * The parts of a real two-row workbook (written by the app's own writer, read with jszip)
 * are kept; xl/sharedStrings.xml becomes one shared string of `unpackedBytes` letters "A".
 *
 * The DEFLATE stream is assembled from pieces: each piece is compressed with a full flush
 * (byte-aligned, no back-references across pieces), so repeating one 16 MiB piece's output
 * N times is itself a valid stream that inflates to N x 16 MiB, and a gigabyte costs a
 * megabyte of file and milliseconds to build.
 */
export async function writeXlsxBomb(file: string, options: { unpackedBytes: number; lie?: boolean; part?: "xl/sharedStrings.xml" | "xl/worksheets/sheet1.xml" }): Promise<{ compressedBytes: number; unpackedBytes: number }> {
  const target = options.part ?? "xl/sharedStrings.xml";
  const template = `${file}.template.xlsx`;
  await writeSnapshot([row(), row({ useCase: "Campus Network Visibility" })], template);
  const zip = await JSZip.loadAsync(await readFile(template));
  const parts: { name: string; data: Buffer; size: number; crc: number }[] = [];
  const piece = 16 * 1024 * 1024;
  const pieces = Math.max(1, Math.ceil(options.unpackedBytes / piece));
  const sheet = target !== "xl/sharedStrings.xml";
  // A worksheet bomb is one row whose inline string is the letters; a shared-strings bomb, one string.
  const head = Buffer.from(
    sheet
      ? '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
      : '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>',
  );
  const tail = Buffer.from(sheet ? "</t></is></c></row></sheetData></worksheet>" : "</t></si></sst>");
  const full = { finishFlush: zlib.constants.Z_FULL_FLUSH };
  const a = zlib.deflateRawSync(Buffer.alloc(piece, "A"), full);
  const bomb = Buffer.concat([zlib.deflateRawSync(head, full), ...Array.from({ length: pieces }, () => a), zlib.deflateRawSync(tail)]);
  const unpacked = head.length + pieces * piece + tail.length;
  // The shared strings first, as Excel stores them: the reader meets the bomb before any sheet.
  // Its CRC is left 0: computing it means touching every unpacked byte, and no reader that
  // refuses the bomb gets to its end.
  const bombPart = { name: target, data: bomb, size: options.lie ? 1000 : Math.min(unpacked, 0xfffffffe), crc: 0 };
  if (!sheet) parts.push(bombPart);
  for (const name of Object.keys(zip.files)) {
    if (zip.files[name]!.dir || name === target) continue;
    const data = await zip.file(name)!.async("nodebuffer");
    parts.push({ name, data: zlib.deflateRawSync(data), size: data.length, crc: zlib.crc32(data) });
  }
  if (sheet) parts.push(bombPart); // after workbook.xml and the styles, as Excel stores a sheet
  const archive = zipArchive(parts);
  await writeFile(file, archive);
  return { compressedBytes: archive.length, unpackedBytes: unpacked };
}

/** A zip archive of already-deflated parts, with the sizes and CRCs given (true or not). */
function zipArchive(parts: readonly { name: string; data: Buffer; size: number; crc: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6); // no data descriptor: sizes are in this header
    local.writeUInt16LE(8, 8); // DEFLATE
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(part.crc >>> 0, 14);
    local.writeUInt32LE(part.data.length, 18);
    local.writeUInt32LE(part.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, part.data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(0, 12);
    entry.writeUInt32LE(part.crc >>> 0, 16);
    entry.writeUInt32LE(part.data.length, 20);
    entry.writeUInt32LE(part.size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += local.length + name.length + part.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
