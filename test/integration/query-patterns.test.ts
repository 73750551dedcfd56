import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCustomer, type QueryContext } from "../../src/queries/queries.js";
import { likeText, useCaseWhere } from "../../src/queries/scope.js";
import { DEFAULT_STALL_THRESHOLDS } from "../../src/domain/stages.js";
import { createTestDatabase, DB_KINDS, type TestDatabase } from "../support/db.js";

/**
 * What a CSM types after `customer` is text, not a LIKE pattern: `%`, `_` and `\` match
 * themselves, on both databases.
 */
const NAMES = ["100% Networks", "100 Networks", "A_B Holdings", "AxB Holdings", "Back\\slash Ltd", "Backslash Ltd", "Plain Co"];

describe.each(DB_KINDS)("customer search on %s", (kind) => {
  let db: TestDatabase;
  let ctx: QueryContext;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    for (const [i, name] of NAMES.entries()) await db.prisma.customer.create({ data: { crPartyId: `90000${i}`, name } });
    ctx = { prisma: db.prisma, today: "2026-12-01", stallThresholds: DEFAULT_STALL_THRESHOLDS, lcaUrl: (id) => `https://lca.example/?d=${id}` };
  });
  afterAll(async () => {
    await db?.close();
  });

  const names = async (query: string): Promise<string[]> => {
    const result = await findCustomer(ctx, query);
    return "found" in result ? [result.found.customer.name] : result.candidates.map((c) => c.name).sort();
  };

  it.each([
    ["%", ["100% Networks"]],
    ["0%", ["100% Networks"]],
    ["_", ["A_B Holdings"]],
    ["A_B", ["A_B Holdings"]],
    ["\\\\", ["Back\\slash Ltd"]],
    ["k\\\\s", ["Back\\slash Ltd"]],
  ])("`customer %s` matches the text literally", async (query, expected) => {
    expect(await names(query.replace(/\\\\/g, "\\"))).toEqual(expected);
  });
});

describe("likeText", () => {
  it("escapes LIKE's wildcards and its escape character, and nothing else", () => {
    expect(likeText("50%_off\\now")).toBe("50\\%\\_off\\\\now");
    expect(likeText("Acme Networks")).toBe("Acme Networks");
    // The customer: filter of stalled/new/contacts/mine goes through it too.
    const where = JSON.stringify(useCaseWhere({ tags: [], architectures: [], customers: ["100%"] }));
    expect(where).toContain(JSON.stringify("100\\%"));
  });
});
