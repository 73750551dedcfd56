import { describe, expect, it } from "vitest";
import { COMMAND_NAMES, commandKeyword } from "../../src/commands/parse.js";
import type { Filters } from "../../src/commands/types.js";
import { HANDLERS, runHandler } from "../../src/actions/handlers/index.js";
import type { Reads } from "../../src/protocol/store.js";
import { ACTION_NAMES } from "../../src/protocol/envelope.js";
import type { CustomerView, ListView, UseCaseDetailView } from "../../src/protocol/views.js";
import { anna, handlerContext, james, MemoryStore } from "../support/memory-store.js";
import { replies } from "../support/handler-world.js";

const filters: Filters = { tags: ["Strategic"], architectures: [], customers: [] };
const list = (kind: ListView["kind"], total: number): ListView => ({ kind, query: "q", page: 1, pageCount: total ? 1 : 0, total, items: [] });
/** Reads that remember what they were asked. */
function recording(reads: Partial<Reads>) {
  const calls: unknown[][] = [];
  const wrapped = Object.fromEntries(Object.entries(reads).map(([name, fn]) => [name, (...args: unknown[]) => (calls.push([name, ...args]), (fn as (...a: unknown[]) => unknown)(...args))]));
  return { calls, reads: wrapped as Partial<Reads> };
}
const ctxWith = (reads: Partial<Reads>, actor = anna) => handlerContext(new MemoryStore(), { reads, actor });

describe("the handler table", () => {
  it("has exactly one handler for every command and every card action", () => {
    expect(Object.keys(HANDLERS).sort()).toEqual([...COMMAND_NAMES, ...ACTION_NAMES].sort());
  });
});

describe("list commands", () => {
  it.each([
    ["stalled", "stalled", { kind: "stalled" as const, filters, page: 2 }, { filters, page: 2, csmId: anna.csmId, query: "stalled tag:Strategic" }, "chat.empty.stalled"],
    ["contacts", "contactProblems", { kind: "contacts" as const, filters, page: 1 }, { filters, page: 1, csmId: anna.csmId, query: "stalled tag:Strategic" }, "chat.empty.contacts"],
    ["mine", "mine", { kind: "mine" as const, filters, page: 3 }, { filters, page: 3, csmId: anna.csmId, query: "stalled tag:Strategic" }, "chat.empty.mine"],
  ] as const)("%s asks %s for the actor's page, answers with the list, or says it is empty", async (name, read, command, args, emptyKey) => {
    const full = recording({ [read]: async () => list("stalled", 4) });
    const effects = await runHandler(ctxWith(full.reads), name, { command, text: "stalled tag:Strategic" } as never);
    expect(full.calls).toEqual([[read, args]]);
    expect(replies(effects)).toEqual([{ card: "list", view: list("stalled", 4) }]);
    const empty = await runHandler(ctxWith({ [read]: async () => list("stalled", 0) }), name, { command, text: "x" } as never);
    expect(replies(empty)).toEqual([{ card: "notice", view: { tone: "info", text: { key: emptyKey } } }]);
  });

  it("new looks back the days asked for (not only the actor's), and says how many days when empty", async () => {
    const r = recording({ addedRecently: async () => list("new", 0) });
    const effects = await runHandler(ctxWith(r.reads), "new", { command: { kind: "new", days: 7, filters, page: 1 }, text: "new 7" });
    expect(r.calls).toEqual([["addedRecently", { days: 7, filters, page: 1, query: "new 7" }]]);
    expect(replies(effects)).toEqual([{ card: "notice", view: { tone: "info", text: { key: "chat.empty.new", params: { count: 7 } } } }]);
  });

  it("list.page re-runs the command its card came from at the page asked for", async () => {
    const r = recording({ addedRecently: async () => ({ ...list("new", 30), page: 2 }) });
    const effects = await runHandler(ctxWith(r.reads), "list.page", { a: "list.page", v: 1, id: 2, q: "new 365 tag:Strategic" });
    expect(r.calls).toEqual([["addedRecently", { days: 365, filters, page: 2, query: "new 365 tag:Strategic" }]]);
    expect(replies(effects)[0]).toMatchObject({ card: "list", view: { page: 2 } });
  });

  it("list.page refuses a query that is not a paged list", async () => {
    for (const q of ["settings", "gibberish words", "help"]) {
      expect(replies(await runHandler(ctxWith({}), "list.page", { a: "list.page", v: 1, id: 2, q }))).toEqual([{ card: "notice", view: { tone: "error", text: { key: "chat.errors.malformed" } } }]);
    }
  });
});

describe("help", () => {
  it("lists every command as this chat writes it, in the reader's language", async () => {
    const effects = await runHandler(handlerContext(new MemoryStore(), { actor: anna, style: { prefix: "/lca " } }), "help", { command: { kind: "help" }, text: "помощь" });
    const [card] = replies(effects);
    if (card?.card !== "help") throw new Error("help card expected");
    expect(card.view.intro).toEqual({ key: "commands.help.intro" });
    expect(card.view.commands).toEqual(COMMAND_NAMES.map((name) => ({ command: `/lca ${commandKeyword(name, "ru")}`, description: { key: `commands.help.commands.${name}` } })));
  });

  it("on a topic shows that command only", async () => {
    const effects = await runHandler(handlerContext(new MemoryStore(), { actor: james }), "help", { command: { kind: "help", topic: "digest" }, text: "help digest" });
    const [card] = replies(effects);
    expect(card).toMatchObject({ card: "help", view: { commands: [{ command: commandKeyword("digest", "en"), description: { key: "commands.help.commands.digest" } }] } });
    if (card?.card === "help") expect(card.view.note).toBeUndefined();
  });

  it("says a mention works in a channel where the chat has one, with an example in the reader's language", async () => {
    const style = { prefix: "@LCA ", mention: "@LCA" };
    const effects = await runHandler(handlerContext(new MemoryStore(), { actor: anna, style }), "help", { command: { kind: "help" }, text: "@LCA помощь" });
    const [card] = replies(effects);
    if (card?.card !== "help") throw new Error("help card expected");
    expect(card.view.commands[0]?.command).toBe(`@LCA ${commandKeyword("help", "ru")}`);
    expect(card.view.note).toEqual({ key: "commands.help.mention", params: { example: `@LCA ${commandKeyword("stalled", "ru")}` } });
  });
});

describe("customer", () => {
  const command = { command: { kind: "customer" as const, query: "acme" }, text: "customer acme" };
  it("shows the customer found", async () => {
    const found = { customer: { crPartyId: "CR1", name: "Acme" } } as CustomerView;
    expect(replies(await runHandler(ctxWith({ findCustomer: async () => ({ found }) }), "customer", command))).toEqual([{ card: "customer.summary", view: found }]);
  });
  it("lists the candidates when several match, and says so when none does", async () => {
    const several = await runHandler(ctxWith({ findCustomer: async () => ({ candidates: [{ crPartyId: "CR1", name: "Acme A" }, { crPartyId: "CR2", name: "Acme B" }] }) }), "customer", command);
    expect(replies(several)).toEqual([{ card: "notice", view: { tone: "info", text: { key: "chat.errors.customerAmbiguous", params: { query: "acme", names: "Acme A (CR1), Acme B (CR2)" } } } }]);
    const none = await runHandler(ctxWith({ findCustomer: async () => ({ candidates: [] }) }), "customer", command);
    expect(replies(none)).toEqual([{ card: "notice", view: { tone: "warning", text: { key: "chat.errors.customerNotFound", params: { query: "acme" } } } }]);
  });
});

describe("usecase", () => {
  const detail = { useCase: { id: 20 } } as UseCaseDetailView;
  const byName = (name?: string) => ({ command: { kind: "usecase" as const, deploymentId: "DEP-10", ...(name ? { name } : {}) }, text: "usecase DEP-10" });

  it("shows a use case by its number, or says it is not found", async () => {
    expect(replies(await runHandler(ctxWith({ useCaseDetail: async (id) => (id === 20 ? detail : null) }), "usecase", { command: { kind: "usecase", id: 20 }, text: "usecase 20" }))).toEqual([{ card: "usecase.detail", view: detail }]);
    expect(replies(await runHandler(ctxWith({ useCaseDetail: async () => null }), "usecase", { command: { kind: "usecase", id: 7 }, text: "usecase 7" }))).toEqual([{ card: "notice", view: { tone: "warning", text: { key: "chat.errors.useCaseNotFound", params: { id: 7 } } } }]);
  });

  it("finds one by Deployment ID and name, passing both on", async () => {
    const r = recording({ findUseCase: async () => ({ id: 20 }), useCaseDetail: async () => detail });
    expect(replies(await runHandler(ctxWith(r.reads), "usecase", byName("Campus")))).toEqual([{ card: "usecase.detail", view: detail }]);
    expect(r.calls).toEqual([["findUseCase", "DEP-10", "Campus"], ["useCaseDetail", 20]]);
  });

  it("names what is wrong: no deployment, a choice to make, no such use case on it, or one gone since", async () => {
    const run = async (found: Awaited<ReturnType<Reads["findUseCase"]>>, name?: string) =>
      replies(await runHandler(ctxWith({ findUseCase: async () => found, useCaseDetail: async () => null }), "usecase", byName(name)))[0];
    expect(await run({ noDeployment: true })).toEqual({ card: "notice", view: { tone: "warning", text: { key: "chat.errors.deploymentNotFound", params: { deploymentId: "DEP-10" } } } });
    expect(await run({ choose: ["Campus", "Wireless"] })).toEqual({ card: "notice", view: { tone: "info", text: { key: "chat.errors.useCaseChoose", params: { deploymentId: "DEP-10", names: "Campus, Wireless", example: "Campus" } } } });
    expect(await run({ noMatch: ["Campus"] }, "Quantum")).toEqual({ card: "notice", view: { tone: "warning", text: { key: "chat.errors.useCaseNotOnDeployment", params: { deploymentId: "DEP-10", name: "Quantum", names: "Campus" } } } });
    expect(await run({ noMatch: [] })).toMatchObject({ view: { text: { params: { name: "", names: "" } } } });
    expect(await run({ id: 20 })).toEqual({ card: "notice", view: { tone: "warning", text: { key: "chat.errors.useCaseNotFound", params: { id: 20 } } } });
  });
});
