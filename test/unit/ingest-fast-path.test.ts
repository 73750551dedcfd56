import { describe, expect, it } from "vitest";
import { COLUMNS, type ColumnField } from "../../src/ingest/columns.js";
import { fastParseCells, zodParseCells } from "../../src/ingest/row.js";

/**
 * validateRow reads a valid row by plain checks and asks zod only to explain a failing one
 * (src/ingest/row.ts). The two must agree on every cell: the same value, or both refuse.
 */
const GOOD: Record<ColumnField, unknown> = {
  crPartyId: "100200", crPartyName: " Acme GmbH ", cxbu: "", deploymentId: "DEP42", installSite: "Berlin\nHall 2",
  serialNumber: null, contractNumber: 12345, architecture: "Networking", solutionDomain: "Campus Network", useCase: "SD-Access",
  stage: " Implement ", stageEnteredOn: "2026-10-01", addedOn: "", telemetry: "Yes", dcc: "n", adoptionPartner: null,
  ea: "", cpiEligible: "TRUE", renewalOn: 46000, csmEmail: "Anna.Petrova@Partner.Example", ciscoContactName: "Li", ciscoContactEmail: "li@cisco.com",
  ciscoContactBarrier: "Hard_Bounce", partner1Name: "", partner1Email: "", partner1Barrier: "", partner2Name: null, partner2Email: undefined,
  partner2Barrier: "none", tags: "a || b||a||", excluded: "0",
};

/** Values each cell is tried with, valid or not for one column or another. */
const VARIANTS: unknown[] = [
  "", "  ", null, undefined, "x", "Yes", "no", "maybe", "1", 0, 1, 2.5, true, false, "implement", "Optimize", "stalled",
  "2026-02-29", "2026-02-28", "2026-13-01", "26-01-01", new Date(Date.UTC(2026, 0, 5)), new Date(Number.NaN), 45000, 0.5, 3_000_000, -1,
  "a@b.co", "A.B@Partner.Example", "a@b", "a..b@c.com", ".a@b.com", "a@-b.com", "not an email", "Unsubscribed", "hard  bounce", "NONE",
  "DEP-1", "dep1", "x||y", { a: 1 }, [1, 2], Number.NaN, Number.POSITIVE_INFINITY,
];

describe("the fast path of row validation", () => {
  it("parses every cell as zod does, and refuses exactly what zod refuses", () => {
    expect(fastParseCells(GOOD)).toEqual(zodParseCells(GOOD));
    expect(fastParseCells(GOOD)).toBeDefined();
    let refused = 0;
    for (const { field } of COLUMNS) {
      for (const value of VARIANTS) {
        const cells = { ...GOOD, [field]: value };
        const fast = fastParseCells(cells);
        expect(fast, `${field} = ${String(value)}`).toEqual(zodParseCells(cells));
        if (fast === undefined) refused++;
      }
    }
    expect(refused).toBeGreaterThan(300);
  });
});
