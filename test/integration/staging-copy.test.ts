import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inTransaction, directCopy } from "../../src/db/sql.js";
import { copyLine, copyValue, createStagingTable, stageRows } from "../../src/ingest/staging.js";
import type { SnapshotRow } from "../../src/domain/snapshot.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";
import { row } from "../support/rows.js";

// Values COPY's text format gives a meaning to, and look-alikes of its escapes and markers.
const HOSTILE = ["a\\b", "tab\there", "line\nfeed", "carriage\rreturn", "\\N", "\\.", "\\", "ends with \\", "\\t literal", "\u00a0ünï©ødé 😀", "x||y"];

describe("COPY text format", () => {
  it("escapes backslash, tab, line feed and carriage return, and writes null as \\N", () => {
    expect(copyValue(null)).toBe("\\N");
    expect(copyValue(undefined)).toBe("\\N");
    expect(copyValue("\\N")).toBe("\\\\N");
    expect(copyValue("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(copyValue(true)).toBe("t");
    expect(copyValue(false)).toBe("f");
    expect(copyValue(7)).toBe("7");
  });
  it("puts one row on one line, whatever its values hold", () => {
    const line = copyLine({ row: row({ crPartyName: "two\nlines", installSite: "tab\there" }) });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
  });
});

describe.each(DB_KINDS)("staging by COPY on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  it("stores every hostile value exactly as given, and null as null", async () => {
    const rows: SnapshotRow[] = HOSTILE.map((value, i) =>
      row({ rowNumber: i + 2, crPartyName: value, installSite: value, adoptionPartner: null, ea: null, renewalOn: null, ciscoContact: { name: value, email: "x@y.example", barrier: "none" } }),
    );
    const stored = await inTransaction(db.pool, async (client) => {
      await createStagingTable(client);
      async function* source() {
        for (const r of rows) yield { row: r };
      }
      await stageRows(client, source(), directCopy(db.pool));
      return (await client.query(`SELECT row_number, cr_party_name, install_site, cisco_name, adoption_partner, ea, renewal_on, tags FROM snapshot_row ORDER BY row_number`)).rows;
    });
    expect(stored.map((r) => [r.cr_party_name, r.install_site, r.cisco_name])).toEqual(HOSTILE.map((v) => [v, v, v]));
    expect(stored.every((r) => r.adoption_partner === null && r.ea === null && r.renewal_on === null && r.tags === "Enterprise")).toBe(true);
  });

  it("ends the COPY and rolls back when the reader fails midway", async () => {
    const failing = async function* () {
      yield { row: row() };
      throw new Error("reader broke");
    };
    await expect(
      inTransaction(db.pool, async (client) => {
        await createStagingTable(client);
        await stageRows(client, failing(), directCopy(db.pool));
      }),
    ).rejects.toThrow("reader broke");
    const { rows } = await db.pool.query(`SELECT to_regclass('pg_temp.snapshot_row') AS t, 1 AS alive`);
    expect(rows[0]).toEqual({ t: null, alive: 1 });
  });
});
