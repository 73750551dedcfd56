import { describe, expect, it } from "vitest";
import { parseCommand, type Filters } from "../../src/commands/parse.js";

/** The lists' CPI filter and an admin's wider scope (`all`, `unassigned`), in both languages. */

const none: Filters = { tags: [], architectures: [], customers: [] };

function parsed(text: string) {
  const result = parseCommand(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse, got ${JSON.stringify(result)}`);
  return result;
}

describe("the cpi filter", () => {
  it.each([
    ["stalled cpi", "stalled", "en"],
    ["stalled CPI-eligible", "stalled", "en"],
    ["mine cpi", "mine", "en"],
    ["contacts cpi tag:Enterprise", "contacts", "en"],
    ["застрявшие cpi", "stalled", "ru"],
    ["застрявшие с CPI", "stalled", "ru"],
    ["мои сценарии цпи", "mine", "ru"],
    ["контакты по CPI", "contacts", "ru"],
  ] as const)("%s sets cpi on %s", (text, kind, language) => {
    const result = parsed(text);
    expect(result.command).toMatchObject({ kind, filters: { cpi: true } });
    expect(result.language).toBe(language);
  });

  it("takes new's period around it", () => {
    expect(parsed("new cpi 7 days").command).toEqual({ kind: "new", days: 7, filters: { ...none, cpi: true }, page: 1 });
    expect(parsed("новые cpi за 2 недели").command).toEqual({ kind: "new", days: 14, filters: { ...none, cpi: true }, page: 1 });
  });

  it("is absent when not asked, and a quoted CPI is a value, not the filter", () => {
    expect(parsed("stalled").command).toEqual({ kind: "stalled", filters: none, page: 1 });
    expect(parsed("stalled").command).not.toHaveProperty("filters.cpi");
    expect(parsed('stalled tag:"CPI"').command).toEqual({ kind: "stalled", filters: { ...none, tags: ["CPI"] }, page: 1 });
  });

  it("is a list filter only: a subscription does not take it", () => {
    expect(parseCommand("subscribe stalled cpi").ok).toBe(false);
  });
});

describe("an admin's scope", () => {
  it.each([
    ["stalled all", "stalled", "all"],
    ["stalled everyone", "stalled", "all"],
    ["stalled unassigned", "stalled", "unassigned"],
    ["contacts all", "contacts", "all"],
    ["contacts unassigned", "contacts", "unassigned"],
    ["застрявшие все", "stalled", "all"],
    ["застрявшие всего партнёра", "stalled", "all"],
    ["застрявшие неназначенные", "stalled", "unassigned"],
    ["контакты все", "contacts", "all"],
    ["контакты ничьи", "contacts", "unassigned"],
  ] as const)("%s lists %s with scope %s", (text, kind, scope) => {
    expect(parsed(text).command).toEqual({ kind, filters: none, page: 1, scope });
  });

  it("keeps filters, cpi and the page beside it; unassigned wins over all", () => {
    expect(parsed("stalled all cpi tag:SMB page 2").command).toEqual({ kind: "stalled", filters: { ...none, tags: ["SMB"], cpi: true }, page: 2, scope: "all" });
    expect(parsed("stalled all unassigned").command).toEqual({ kind: "stalled", filters: none, page: 1, scope: "unassigned" });
  });

  it("reads 'all my' as the asker's own list, and a quoted word as a name", () => {
    expect(parsed("stalled all my").command).toEqual({ kind: "stalled", filters: none, page: 1 });
    expect(parsed("застрявшие все мои").command).toEqual({ kind: "stalled", filters: none, page: 1 });
    expect(parsed('stalled customer:"All"').command).toEqual({ kind: "stalled", filters: { ...none, customers: ["All"] }, page: 1 });
  });

  it("is not a word of mine or new", () => {
    expect(parsed("mine all").command).toEqual({ kind: "mine", filters: none, page: 1 });
    expect(parseCommand("mine unassigned").ok).toBe(false);
  });
});
