import { describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import type { Effect } from "../../src/protocol/effects.js";
import type { LcaChangeCounts, Reads } from "../../src/protocol/store.js";
import { anna, handlerContext, james, type MemoryStore } from "../support/memory-store.js";
import { noticeKeys, world } from "../support/handler-world.js";

const changes = { command: { kind: "changes" as const }, text: "changes" };
const WORKBOOK = Buffer.from("PK\u0003\u0004 the workbook");

/** The two reads of `changes`, counted from the memory store's recorded changes. */
function changeReads(store: MemoryStore, calls: string[]): Partial<Reads> {
  return {
    lcaChangeCounts: async () => {
      calls.push("counts");
      const counts: LcaChangeCounts = { pending: { email: 0, name: 0, csm: 0 }, stale: { email: 0, name: 0, csm: 0 } };
      for (const c of store.state.pendingLcaChanges) {
        if (c.status !== "pending" && c.status !== "stale") continue;
        counts[c.status][c.field === "csm_email" ? "csm" : c.field.endsWith("_email") ? "email" : "name"]++;
      }
      return counts;
    },
    lcaWorkbook: async () => {
      calls.push("workbook");
      return { ok: true, rows: 2, bytes: WORKBOOK };
    },
  };
}

const files = (effects: Effect[]) => effects.filter((e): e is Extract<Effect, { type: "file" }> => e.type === "file");

describe("changes", () => {
  it("gives an admin the counts by kind and the workbook as an .xlsx file", async () => {
    const store = world();
    // An assignment and a contact fixed in chat: one CSM change, an email and a name.
    await runHandler(handlerContext(store, { actor: james }), "usecase.assign", { a: "usecase.assign", v: 1, id: 10, ev: 5, to: anna.email });
    await runHandler(handlerContext(store, { actor: james }), "contact.update", { a: "contact.update", v: 1, id: 20, ev: 2, email: "new.person@customer.example", name: "New Person" });
    store.state.pendingLcaChanges[1]!.status = "stale";
    const calls: string[] = [];
    const effects = await runHandler(handlerContext(store, { actor: james, reads: changeReads(store, calls) }), "changes", changes);
    expect(calls).toEqual(["counts", "workbook"]);
    expect(files(effects)).toEqual([
      {
        type: "file",
        name: "lca-changes-2026-11-23.xlsx",
        mediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes: WORKBOOK,
        comment: { key: "chat.changes.comment", params: { emailPending: 0, emailStale: 1, namePending: 1, nameStale: 0, csmPending: 1, csmStale: 0, rows: 2 } },
      },
    ]);
    expect(effects).toHaveLength(1);
  });

  it("refuses anyone but an admin, in their language, before reading anything", async () => {
    const store = world();
    await runHandler(handlerContext(store, { actor: james }), "usecase.assign", { a: "usecase.assign", v: 1, id: 10, ev: 5, to: anna.email });
    const calls: string[] = [];
    const effects = await runHandler(handlerContext(store, { actor: anna, reads: changeReads(store, calls) }), "changes", changes);
    expect(noticeKeys(effects)).toEqual(["chat.changes.notAdmin"]);
    expect(files(effects)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("says nothing waits for LCA, with no file, when every change is decided", async () => {
    const store = world();
    await runHandler(handlerContext(store, { actor: james }), "usecase.assign", { a: "usecase.assign", v: 1, id: 10, ev: 5, to: anna.email });
    store.state.pendingLcaChanges[0]!.status = "confirmed";
    const calls: string[] = [];
    const effects = await runHandler(handlerContext(store, { actor: james, reads: changeReads(store, calls) }), "changes", changes);
    expect(noticeKeys(effects)).toEqual(["chat.changes.none"]);
    expect(files(effects)).toEqual([]);
    expect(calls).toEqual(["counts"]);
  });

  it("makes no file when a row would not pass LCA's format, and says how many cells", async () => {
    const store = world();
    await runHandler(handlerContext(store, { actor: james }), "usecase.assign", { a: "usecase.assign", v: 1, id: 10, ev: 5, to: anna.email });
    const reads = { ...changeReads(store, []), lcaWorkbook: async () => ({ ok: false as const, problems: 3 }) };
    const effects = await runHandler(handlerContext(store, { actor: james, reads }), "changes", changes);
    expect(noticeKeys(effects)).toEqual(["chat.changes.problems"]);
    expect(files(effects)).toEqual([]);
  });
});
