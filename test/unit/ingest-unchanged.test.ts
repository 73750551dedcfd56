import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvCell, EXPORT_COLUMNS, exportCells, writeSnapshot } from "../../src/demo/write-snapshot.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { DigestSet, md5, rowDigest } from "../../src/ingest/digest.js";
import { openSnapshot, type RowResult, type UnchangedRow } from "../../src/ingest/read.js";
import { ENTITY_FIELDS } from "../../src/ingest/row.js";
import { row } from "../support/rows.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lca-unchanged-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROWS: SnapshotRow[] = [
  row(),
  row({ useCase: "Campus Network Segmentation", stage: "adopt", partnerContacts: [{ name: "Ops", email: "ops@northwind.example", barrier: "hard_bounce" }] }),
  row({ crPartyId: "300199999", crPartyName: "Contoso Pharma", deploymentId: "DPL777Z001", csmEmail: null, ea: null, cxbu: null }),
];

async function csv(name: string, rows: SnapshotRow[]): Promise<string> {
  const file = path.join(dir, name);
  await writeSnapshot(rows, file);
  return file;
}

async function read(file: string, unchanged?: ReadonlySet<string>): Promise<(RowResult | UnchangedRow)[]> {
  const snapshot = await openSnapshot(file);
  const results: (RowResult | UnchangedRow)[] = [];
  for await (const result of unchanged ? snapshot.rowsSkipping(unchanged) : snapshot.rows) results.push(result);
  return results;
}

async function digestsOf(file: string): Promise<Set<string>> {
  const results = await read(file);
  return new Set(results.map((r) => (r.ok && "digest" in r && r.digest ? r.digest : "missing")));
}

describe("rows merged unchanged before", () => {
  it("come as unchanged with the same entities and digest as the row read in full", async () => {
    const file = await csv("same.csv", ROWS);
    const full = await read(file);
    const digests = await digestsOf(file);
    expect(digests.size).toBe(ROWS.length);
    const skipped = await read(file, digests);
    expect(skipped.every((r) => r.ok && "unchanged" in r)).toBe(true);
    skipped.forEach((result, i) => {
      const whole = full[i] as Extract<RowResult, { ok: true }>;
      const unchanged = result as UnchangedRow;
      expect(unchanged.digest).toBe(whole.digest);
      const expected = Object.fromEntries([["rowNumber", whole.row.rowNumber], ...ENTITY_FIELDS.map((f) => [f, whole.row[f]])]);
      expect(unchanged.unchanged).toEqual(expected);
    });
  });

  it("are read in full when one cell differs, even only in its spaces", async () => {
    const before = await digestsOf(await csv("before.csv", ROWS));
    const after = await read(await csv("after.csv", [ROWS[0]!, { ...ROWS[1]!, stage: "optimize" }, { ...ROWS[2]!, installSite: " Berlin DE" }]), before);
    expect(after.map((r) => r.ok && ("unchanged" in r ? "unchanged" : "full"))).toEqual(["unchanged", "full", "full"]);
  });

  it("are recognised whatever the order of the columns", async () => {
    const digests = await digestsOf(await csv("ordered.csv", ROWS));
    const order = EXPORT_COLUMNS.map((_, i) => i).reverse();
    const lines = [order.map((i) => csvCell(EXPORT_COLUMNS[i]!)).join(","), ...ROWS.map((r) => order.map((i) => csvCell(exportCells(r)[i] ?? null)).join(","))];
    const file = path.join(dir, "reversed.csv");
    await writeFile(file, lines.join("\n") + "\n");
    expect((await read(file, digests)).every((r) => r.ok && "unchanged" in r)).toBe(true);
  });

  it("still count for the checks that span rows: a repeated unchanged row is refused", async () => {
    const digests = await digestsOf(await csv("once.csv", ROWS));
    const results = await read(await csv("twice.csv", [...ROWS, ROWS[0]!]), digests);
    expect(results.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(results[3]).toEqual({ ok: false, problems: [{ row: 5, column: "Use Case", key: "duplicateRow", params: { firstRow: 2 } }] });
    const moved = await read(await csv("moved.csv", [...ROWS, { ...ROWS[0]!, useCase: "Wireless Assurance", crPartyId: "300100000" }]), digests);
    expect(moved[3]).toMatchObject({ ok: false, problems: [{ row: 5, key: "deploymentMovedCustomer" }] });
  });

  it("have a digest no other cells can spell: each value carries its type and length", () => {
    const base = { crPartyId: "1", crPartyName: "2:ab" };
    expect(rowDigest(base)).not.toBe(rowDigest({ crPartyId: "1:22:ab", crPartyName: "" }));
    expect(rowDigest({ telemetry: "1" })).not.toBe(rowDigest({ telemetry: 1 }));
    expect(rowDigest({ telemetry: "" })).not.toBe(rowDigest({}));
    expect(rowDigest({ addedOn: new Date(Date.UTC(2026, 0, 1)) })).not.toBe(rowDigest({ addedOn: "2026-01-01" }));
    expect(rowDigest({ crPartyId: { nested: true } })).toBeUndefined();
    expect(rowDigest({ crPartyName: "Contoso", crPartyId: "1" })).toBe(rowDigest({ crPartyId: "1", crPartyName: "Contoso" }));
  });
});

describe("DigestSet", () => {
  const digests = Array.from({ length: 5000 }, (_, i) => md5(`row ${i}`));
  const set = new DigestSet(digests.length);
  set.addJoined(digests.slice(0, 2000).join(","));
  set.addJoined(digests.slice(2000).join(","));

  it("holds every digest it was given, and no other", () => {
    expect(digests.every((d) => set.has(d))).toBe(true);
    const others = Array.from({ length: 20000 }, (_, i) => md5(`other ${i}`));
    expect(others.filter((d) => set.has(d))).toEqual([]);
  });

  it("answers no for what is not a digest, and holds nothing when given nothing", () => {
    expect(["", "short", "!!!!!!!!!!!!!!!!!!!!!!==", "Ünïcödé-Ünïcödé-Ünïcödé"].some((d) => set.has(d))).toBe(false);
    const empty = new DigestSet(0);
    expect(digests.some((d) => empty.has(d))).toBe(false);
    const odd = new DigestSet(4);
    odd.addJoined(",,x,");
    expect(odd.has("x")).toBe(false);
  });

  it("takes a digest given twice once, and no more than it was sized for", () => {
    const twice = new DigestSet(digests.length);
    twice.addJoined([...digests, ...digests].join(","));
    expect(digests.every((d) => twice.has(d))).toBe(true);
    const small = new DigestSet(10);
    small.addJoined(digests.join(","));
    const held = digests.filter((d) => small.has(d)).length;
    expect(held).toBe(1024 / 2);
  });
});
