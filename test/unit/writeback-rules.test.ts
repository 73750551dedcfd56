import { describe, expect, it } from "vitest";
import { decideChange, nextChange, sameValue, workingDaysAfter, type OpenChange } from "../../src/domain/writeback.js";

const email = (valueBefore: string | null, valueChat: string | null, status: OpenChange["status"] = "pending"): OpenChange => ({ field: "partner_contact_1_email", valueBefore, valueChat, status });

describe("the reconciliation rules", () => {
  it.each([
    // before, chat, LCA now, working days waited → status
    ["old@x.example", "new@x.example", "new@x.example", 0, "confirmed"],
    ["old@x.example", "new@x.example", "NEW@X.example", 5, "confirmed"],
    ["old@x.example", "new@x.example", "third@x.example", 0, "overridden"],
    ["old@x.example", "new@x.example", null, 1, "overridden"],
    ["old@x.example", "new@x.example", "old@x.example", 1, "pending"],
    ["old@x.example", "new@x.example", "old@x.example", 2, "stale"],
    ["old@x.example", "new@x.example", "Old@X.example", 3, "stale"],
    [null, "new@x.example", null, 1, "pending"],
    [null, "new@x.example", null, 2, "stale"],
    [null, "new@x.example", "new@x.example", 9, "confirmed"],
    ["old@x.example", null, null, 0, "confirmed"],
  ] as const)("before %s, chat %s, LCA %s after %i working days: %s", (before, chat, lca, waited, status) => {
    expect(decideChange(email(before, chat), lca, waited, 2)).toBe(status);
  });

  it("keeps a stale change stale while LCA still shows the old value, and confirms it when LCA shows the chat's", () => {
    expect(decideChange(email("old@x.example", "new@x.example", "stale"), "old@x.example", 0, 2)).toBe("stale");
    expect(decideChange(email("old@x.example", "new@x.example", "stale"), "new@x.example", 9, 2)).toBe("confirmed");
  });

  it("compares names as written and emails without case", () => {
    expect(sameValue("partner_contact_2_name", "Anna", "anna")).toBe(false);
    expect(sameValue("csm_email", "Anna@P.example", "anna@p.example")).toBe(true);
    expect(sameValue("partner_contact_1_name", null, "")).toBe(false);
    expect(decideChange({ field: "partner_contact_1_name", valueBefore: "Ops", valueChat: "New Ops", status: "pending" }, "new ops", 0, 2)).toBe("overridden");
  });

  it.each([
    ["2026-11-23", "2026-11-23", 0], // the day of the change does not count
    ["2026-11-23", "2026-11-24", 1], // Monday → Tuesday
    ["2026-11-23", "2026-11-25", 2],
    ["2026-11-27", "2026-11-29", 0], // Friday → Sunday: the weekend is not a working day
    ["2026-11-27", "2026-11-30", 1], // Friday → Monday
    ["2026-11-28", "2026-12-01", 2], // a change on Saturday: Monday and Tuesday
    ["2026-11-23", "2026-12-04", 9],
    ["2026-11-25", "2026-11-23", 0], // a snapshot dated before the change
  ] as const)("working days after %s up to %s: %i", (from, to, days) => {
    expect(workingDaysAfter(from, to)).toBe(days);
  });

  it("a newer chat value supersedes the open change and keeps its LCA value; back to LCA's value records nothing", () => {
    expect(nextChange(undefined, "csm_email", "lca@p.example", "chat@p.example")).toEqual({ valueBefore: "lca@p.example", record: true });
    expect(nextChange({ valueBefore: "lca@p.example" }, "csm_email", "chat@p.example", "other@p.example")).toEqual({ valueBefore: "lca@p.example", record: true });
    expect(nextChange({ valueBefore: "lca@p.example" }, "csm_email", "chat@p.example", "LCA@p.example")).toEqual({ valueBefore: "lca@p.example", record: false });
    expect(nextChange(undefined, "partner_contact_1_name", null, null)).toEqual({ valueBefore: null, record: false });
  });
});
