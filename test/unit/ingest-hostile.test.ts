import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RowProblem } from "../../src/domain/snapshot.js";
import { CELL_KINDS, COLUMNS } from "../../src/ingest/columns.js";
import { decodeText, parseEncoding } from "../../src/ingest/decode.js";
import { AppError } from "../../src/errors.js";
import { openSnapshot, xlsxRowsSettled, type ReadOptions, type RowResult, type SheetRow } from "../../src/ingest/read.js";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import { printable } from "../../src/terminal.js";
import { row } from "../support/rows.js";
import { writeXlsxBomb } from "../support/xlsx-bomb.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/ingest", import.meta.url));
const HOSTILE = path.join(FIXTURES, "hostile");
const HEADER = COLUMNS.map((column) => column.name);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lca-hostile-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(file: string, options: ReadOptions = {}): Promise<RowResult[]> {
  const results: RowResult[] = [];
  for await (const result of (await openSnapshot(file, options)).rows) results.push(result);
  return results;
}

const problemsOf = (results: RowResult[]): RowProblem[] => results.flatMap((r) => (r.ok ? [] : r.problems));
const brief = (problems: RowProblem[]) => problems.map((p) => `${p.row} ${p.column}: ${p.key}`);

async function refusal(file: string, options: ReadOptions = {}): Promise<unknown> {
  return readAll(file, options).then(
    () => "read without refusal",
    (error: unknown) => error,
  );
}

/** The first sample row by column name. */
function baseRow(): Record<string, string> {
  const [header, first] = parse(readFileSync(path.join(FIXTURES, "sample.csv"))) as string[][];
  return Object.fromEntries(header!.map((name, i) => [name, first![i]!]));
}

function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\n\r]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(",");
}

function csvText(rows: readonly Record<string, string>[]): string {
  return [HEADER, ...rows.map((r) => HEADER.map((name) => r[name] ?? ""))].map(csvLine).join("\n") + "\n";
}

describe("hostile cells are named by row and column, never a crash", () => {
  it("control characters: ANSI escapes, NUL, C1, DEL, and tabs where a column is one line; line breaks only in free text", async () => {
    const results = await readAll(path.join(HOSTILE, "control-characters.csv"));
    expect(brief(problemsOf(results))).toEqual([
      "2 CR Party Name: controlCharacter",
      "3 Deployment ID: controlCharacter",
      "3 Use Case: controlCharacter",
      "4 CR Party Name: controlCharacter",
      "5 Adoption Partner: controlCharacter",
    ]);
    expect(problemsOf(results).map((p) => p.params?.character)).toEqual(["\\x1b", "\\x00", "\\x85", "\\x09", "\\x7f"]);
    expect(problemsOf(results)[0]!.params).toMatchObject({ position: 11 });
    // Row 4's Install Site spans two lines (Alt+Enter in Excel): free text may.
    expect(problemsOf(results).some((p) => p.column === "Install Site")).toBe(false);
  });

  it("values over their column's documented maximum, and tags over theirs", async () => {
    const problems = problemsOf(await readAll(path.join(HOSTILE, "long-cells.csv")));
    expect(problems.map((p) => [p.row, p.column, p.key, p.params?.length, p.params?.max])).toEqual([
      [2, "CR Party Name", "tooLong", 300, 256],
      [2, "Deployment ID", "tooLong", 65, 64],
      [3, "Install Site", "tooLong", 2001, 2000],
      [3, "Partner-Provided Segmentation Tag", "tagTooLong", 101, 100],
    ]);
    // The value is quoted in part, never whole.
    expect(String(problems[0]!.params?.value).length).toBeLessThanOrEqual(81);
  });

  it("every column has a maximum well below PostgreSQL's btree limit, the use-case index included", () => {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const max = (field: string) => CELL_KINDS[COLUMNS.find((c) => c.field === field)!.kind].maxLength;
    expect(3 * (max("architecture") + max("solutionDomain") + max("useCase"))).toBeLessThan(2700);
    for (const field of ["crPartyId", "deploymentId", "crPartyName", "csmEmail", "ciscoContactEmail"]) expect(3 * max(field)).toBeLessThan(2700);
    expect(COLUMNS.every((c) => CELL_KINDS[c.kind].maxLength <= 2000)).toBe(true);
  });

  it("in JSON: objects and arrays where a value belongs, a lone surrogate, nesting 40 deep", async () => {
    const problems = problemsOf(await readAll(path.join(HOSTILE, "shapes.json")));
    expect(brief(problems)).toEqual(["1 CR Party Name: invalidValue", "1 Adoption Partner: malformedText", "2 Use Case: invalidValue", "3 Install Site: tooDeep"]);
    expect(problems[0]!.params?.value).toBe('{"first":"Northwind","last":{"x":[…]}}');
    expect(problems[3]!.params).toEqual({ depth: 40 });
  });

  it("in JSON: nesting 10,000 deep, in a cell and as a row, costs no stack", async () => {
    const file = path.join(dir, "deep.json");
    const arrays = "[".repeat(10_000) + "]".repeat(10_000);
    const objects = '{"a": '.repeat(10_000) + "1" + "}".repeat(10_000);
    const withCell = (column: string, json: string) => JSON.stringify({ ...baseRow(), [column]: "§" }).replace('"§"', json);
    await writeFile(file, `[${withCell("Install Site", arrays)}, ${arrays}, ${withCell("CXBU", objects)}]`);
    const results = await readAll(file);
    expect(brief(problemsOf(results))).toEqual(["1 Install Site: tooDeep", "2 : notAnObject", "3 CXBU: tooDeep"]);
    expect(problemsOf(results).map((p) => p.params)).toEqual([{ depth: 10_000 }, { value: "[[[…]]]" }, { depth: 10_000 }]);
  });

  it("in JSON: a string of megabytes is held as its first 64 KiB and named with its length", async () => {
    const file = path.join(dir, "huge-string.json");
    await writeFile(file, JSON.stringify([{ ...baseRow(), "Cisco Contact Name": "x".repeat(5_000_000) }]));
    const problems = problemsOf(await readAll(file));
    expect(problems).toEqual([{ row: 1, column: "Cisco Contact Name", key: "tooLong", params: { value: `${"x".repeat(80)}…`, length: 5_000_000, max: 256 } }]);
  });

  it("in CSV: a record of gigabyte ambitions stops at a million characters, naming its line", async () => {
    const file = path.join(dir, "endless.csv");
    await writeFile(file, csvText([baseRow()]) + `1,"${"x".repeat(1_100_000)}`);
    expect(await refusal(file)).toMatchObject({ code: "ingest.recordTooLong", params: { file: "endless.csv", max: 1_000_000 } });
  });
});

describe("files that are not UTF-8", () => {
  it("a Windows-1251 or Latin-1 CSV is refused, naming the first bad byte and its line", async () => {
    for (const name of ["cp1251.csv", "latin1.csv"]) {
      const bytes = await readFile(path.join(HOSTILE, name));
      const firstHigh = bytes.findIndex((b) => b >= 0x80);
      expect(await refusal(path.join(HOSTILE, name))).toMatchObject({ code: "ingest.notUtf8", params: { file: name, offset: firstHigh, line: 2 } });
    }
  });

  it("--encoding reads them on purpose, streamed, with the right letters", async () => {
    const [cyrillic] = await readAll(path.join(HOSTILE, "cp1251.csv"), { encoding: "cp1251" });
    expect(cyrillic).toMatchObject({ ok: true, row: { crPartyName: "Северный Логистик", installSite: "Москва" } });
    const [latin] = await readAll(path.join(HOSTILE, "latin1.csv"), { encoding: "latin1" });
    expect(latin).toMatchObject({ ok: true, row: { crPartyName: "Société Générale Logistique", installSite: "Zürich" } });
    expect(["windows-1251", "CP1251", "iso-8859-1", "Latin1", "utf-8"].map(parseEncoding)).toEqual(["cp1251", "cp1251", "latin1", "latin1", "utf8"]);
    expect(parseEncoding("ebcdic")).toBeUndefined();
  });

  it("a UTF-8 BOM is fine; a UTF-16 file is refused by name", async () => {
    expect((await readAll(path.join(HOSTILE, "bom.csv"))).map((r) => r.ok)).toEqual([true]);
    expect(await refusal(path.join(HOSTILE, "utf16.csv"))).toMatchObject({ code: "ingest.utf16" });
  });

  it("a character split across two reads is whole, a bad byte deep in a big file is found exactly", async () => {
    async function* chunked(bytes: Buffer, size: number) {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    }
    const text = "Ж€😀 é\n".repeat(5000);
    const bytes = Buffer.from(text);
    let joined = "";
    for await (const part of decodeText(chunked(bytes, 7), "utf8", "x.csv")) joined += part;
    expect(joined).toBe(text);
    const bad = Buffer.concat([bytes, Buffer.from([0xc3, 0x28]), bytes]); // 0xc3 followed by no continuation
    const error = await (async () => {
      for await (const part of decodeText(chunked(bad, 4096), "utf8", "x.csv")) void part;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ingest.notUtf8", params: { offset: bytes.length, line: 5001 } });
    const truncated = (async () => {
      for await (const part of decodeText(chunked(Buffer.from([0x61, 0xe2, 0x82]), 10), "utf8", "x.csv")) void part;
    })();
    await expect(truncated).rejects.toMatchObject({ code: "ingest.notUtf8", params: { offset: 1 } });
  });
});

describe("xlsx bombs are refused quickly, without the memory they ask for, and not retried", () => {
  const GB = 1024 ** 3;

  async function timedRefusal(file: string): Promise<{ error: unknown; ms: number; rssGrowthMb: number }> {
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const error = await refusal(file);
    return { error, ms: performance.now() - started, rssGrowthMb: (process.memoryUsage().rss - rss) / 1024 ** 2 };
  }

  it("shared strings that say they unpack to 2 GB: refused from the archive's directory", async () => {
    const file = path.join(dir, "bomb.xlsx");
    const built = await writeXlsxBomb(file, { unpackedBytes: 2 * GB - 1024 ** 2 });
    expect(built.compressedBytes).toBeLessThan(4 * 1024 ** 2);
    const { error, ms, rssGrowthMb } = await timedRefusal(file);
    expect(error).toMatchObject({ code: "ingest.tooLarge", params: { file: "bomb.xlsx", part: "xl/sharedStrings.xml" } });
    expect(ms).toBeLessThan(2000);
    expect(rssGrowthMb).toBeLessThan(100);
  });

  it("shared strings that lie about their size: refused while inflating, at the first over-long text", async () => {
    const file = path.join(dir, "lying-bomb.xlsx");
    await writeXlsxBomb(file, { unpackedBytes: 2 * GB - 1024 ** 2, lie: true });
    const { error, ms, rssGrowthMb } = await timedRefusal(file);
    expect(error).toMatchObject({ code: "ingest.tooLarge", params: { part: "xl/sharedStrings.xml", what: "one text or tag" } });
    // Retried, the refusal would come three times over; 2 GB inflated would take many seconds.
    expect(ms).toBeLessThan(3000);
    expect(rssGrowthMb).toBeLessThan(200);
  });

  it("a worksheet that says, or hides, that it unpacks to 2 GB: refused before, or while, it is read", async () => {
    for (const lie of [false, true]) {
      const file = path.join(dir, `sheet-bomb-${lie}.xlsx`);
      await writeXlsxBomb(file, { unpackedBytes: 2 * GB - 1024 ** 2, lie, part: "xl/worksheets/sheet1.xml" });
      const { error, ms, rssGrowthMb } = await timedRefusal(file);
      expect(error, `lie: ${lie}`).toMatchObject({ code: "ingest.tooLarge", params: { part: "xl/worksheets/sheet1.xml" } });
      expect(ms).toBeLessThan(3000);
      expect(rssGrowthMb).toBeLessThan(200);
    }
  });

  it("a refusal is final: only exceljs's own lost-entry failures before the first row are tried again", async () => {
    const attemptsUntil = async (failure: Error) => {
      let attempts = 0;
      async function* failing(): AsyncGenerator<SheetRow> {
        attempts++;
        throw failure;
      }
      const error = await (async () => {
        for await (const r of xlsxRowsSettled("x.xlsx", 3, failing)) void r;
      })().catch((e: unknown) => e);
      return { attempts, error };
    };
    const refused = new AppError("ingest.tooLarge", { file: "x.xlsx", part: "xl/sharedStrings.xml", max: "1 MB", what: "one text or tag" });
    expect(await attemptsUntil(refused)).toEqual({ attempts: 1, error: refused });
    expect((await attemptsUntil(new Error("no worksheet"))).attempts).toBe(3);
  });

  it("a shared string over a column's maximum is a named cell, not a refused file", async () => {
    const file = path.join(dir, "long-shared-string.xlsx");
    await writeSnapshot([row(), row({ useCase: "Campus Network Visibility", crPartyName: "N".repeat(3000) })], file);
    expect(brief(problemsOf(await readAll(file)))).toEqual(["3 CR Party Name: tooLong"]);
  });
});

describe("text shown on a terminal", () => {
  it("shows ANSI escapes, other controls, bidi overrides and lone surrogates as visible escapes", () => {
    expect(printable("a\u001b[2J\u001b]0;x\u0007b\r\nc\u0085\u202ed\ud800")).toBe("a\\x1b[2J\\x1b]0;x\\x07b\\x0d\\x0ac\\x85\\u202ed\\ud800");
    expect(printable("Северный 😀 plain")).toBe("Северный 😀 plain");
  });
});
