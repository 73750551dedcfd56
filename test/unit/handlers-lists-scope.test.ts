import { describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import type { Filters } from "../../src/commands/types.js";
import type { Reads } from "../../src/protocol/store.js";
import type { ListView } from "../../src/protocol/views.js";
import { replies } from "../support/handler-world.js";
import { anna, handlerContext, james, MemoryStore } from "../support/memory-store.js";

/** stalled and contacts beyond the asker's own deployments: admins and team leads only (james is an admin, anna neither). */

const filters: Filters = { tags: [], architectures: [], customers: [], cpi: true };
const list = (total: number): ListView => ({ kind: "stalled", query: "q", page: 1, pageCount: total ? 1 : 0, total, items: [] });

function recording(total: number) {
  const calls: unknown[][] = [];
  const read = (name: string) => async (args: unknown) => (calls.push([name, args]), list(total));
  const reads: Partial<Reads> = { stalled: read("stalled"), contactProblems: read("contactProblems") };
  return { calls, reads };
}

describe.each([
  ["stalled", "stalled", { all: "chat.empty.stalledAll", unassigned: "chat.empty.stalledUnassigned" }],
  ["contacts", "contactProblems", { all: "chat.empty.contacts", unassigned: "chat.empty.contactsUnassigned" }],
] as const)("%s with a scope", (name, read, emptyKeys) => {
  it("for an admin, all asks for the whole partner (no CSM) and unassigned for nobody's deployments", async () => {
    const r = recording(3);
    for (const scope of ["all", "unassigned"] as const) {
      const effects = await runHandler(handlerContext(new MemoryStore(), { reads: r.reads, actor: james }), name, { command: { kind: name, filters, page: 2, scope }, text: `${name} ${scope}` } as never);
      expect(replies(effects)).toEqual([{ card: "list", view: list(3) }]);
    }
    expect(r.calls).toEqual([
      [read, { filters, page: 2, query: `${name} all` }],
      [read, { filters, page: 2, unassigned: true, query: `${name} unassigned` }],
    ]);
  });

  it("for a team lead who is not an admin, lists the whole partner and the unassigned ones too", async () => {
    const r = recording(2);
    const lead = { ...anna, isTeamLead: true };
    for (const scope of ["all", "unassigned"] as const) {
      const effects = await runHandler(handlerContext(new MemoryStore(), { reads: r.reads, actor: lead }), name, { command: { kind: name, filters, page: 1, scope }, text: scope } as never);
      expect(replies(effects)).toEqual([{ card: "list", view: list(2) }]);
    }
    expect(r.calls).toEqual([
      [read, { filters, page: 1, query: "all" }],
      [read, { filters, page: 1, unassigned: true, query: "unassigned" }],
    ]);
  });

  it("for an admin, says which list is empty", async () => {
    for (const scope of ["all", "unassigned"] as const) {
      const effects = await runHandler(handlerContext(new MemoryStore(), { reads: recording(0).reads, actor: james }), name, { command: { kind: name, filters, page: 1, scope }, text: "x" } as never);
      expect(replies(effects)).toEqual([{ card: "notice", view: { tone: "info", text: { key: emptyKeys[scope] } } }]);
    }
  });

  it("refuses a non-admin without reading anything, and without a scope lists their own", async () => {
    const r = recording(1);
    for (const scope of ["all", "unassigned"] as const) {
      const effects = await runHandler(handlerContext(new MemoryStore(), { reads: r.reads, actor: anna }), name, { command: { kind: name, filters, page: 1, scope }, text: "x" } as never);
      expect(replies(effects)).toEqual([{ card: "notice", view: { tone: "warning", text: { key: "chat.errors.notAdminScope" } } }]);
    }
    expect(r.calls).toEqual([]);
    await runHandler(handlerContext(new MemoryStore(), { reads: r.reads, actor: james }), name, { command: { kind: name, filters, page: 1 }, text: "x" } as never);
    expect(r.calls).toEqual([[read, { filters, page: 1, csmId: james.csmId, query: "x" }]]);
  });
});
