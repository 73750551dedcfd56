import { describe, expect, it } from "vitest";
import { escalationDue, type EscalationCandidate } from "../../src/domain/escalation.js";

/** The escalation rule (src/domain/escalation.ts), pure: which step is due for an open alert today. */
const TODAY = "2026-12-01";
const RULES = { afterDays: 14, unclaimedDays: 3 };
const alert = (over: Partial<EscalationCandidate> = {}): EscalationCandidate => ({
  kind: "stalled", openedOn: "2026-11-17", deliveredOn: "2026-11-17", reminderCount: 1, assigned: true, touched: false, snoozedUntil: null, ...over,
});

describe("escalationDue", () => {
  it("step 1: an assigned alert untouched ESCALATE_AFTER_DAYS after it opened, its reminders sent", () => {
    expect(escalationDue(alert(), TODAY, RULES)).toBe(1);
    expect(escalationDue(alert({ openedOn: "2026-11-18" }), TODAY, RULES)).toBeNull();
    expect(escalationDue(alert({ reminderCount: 0 }), TODAY, RULES)).toBeNull();
    // Kinds without reminders need none.
    expect(escalationDue(alert({ kind: "regression", reminderCount: 0 }), TODAY, RULES)).toBe(1);
  });

  it("step 2: an unassigned (team-space) alert nobody claimed ESCALATE_UNCLAIMED_DAYS after it opened", () => {
    expect(escalationDue(alert({ assigned: false, openedOn: "2026-11-28", reminderCount: 0 }), TODAY, RULES)).toBe(2);
    expect(escalationDue(alert({ assigned: false, openedOn: "2026-11-29", reminderCount: 0 }), TODAY, RULES)).toBeNull();
    // Still nobody's at 14 days: step 2 is its step, never step 1.
    expect(escalationDue(alert({ assigned: false }), TODAY, RULES)).toBe(2);
  });

  it("nothing for a touched, a snoozed or a never-sent alert", () => {
    expect(escalationDue(alert({ touched: true }), TODAY, RULES)).toBeNull();
    expect(escalationDue(alert({ assigned: false, touched: true }), TODAY, RULES)).toBeNull();
    expect(escalationDue(alert({ snoozedUntil: "2026-12-02" }), TODAY, RULES)).toBeNull();
    expect(escalationDue(alert({ snoozedUntil: "2026-11-30" }), TODAY, RULES)).toBe(1);
    expect(escalationDue(alert({ deliveredOn: null }), TODAY, RULES)).toBeNull();
    expect(escalationDue(alert({ assigned: false, deliveredOn: null }), TODAY, RULES)).toBeNull();
  });

  it("counts from the day it first reached someone when that is later than the day it opened (a baseline alert's first reminder)", () => {
    expect(escalationDue(alert({ assigned: false, openedOn: "2026-11-01", deliveredOn: "2026-11-29" }), TODAY, RULES)).toBeNull();
    expect(escalationDue(alert({ assigned: false, openedOn: "2026-11-01", deliveredOn: "2026-11-28" }), TODAY, RULES)).toBe(2);
    expect(escalationDue(alert({ openedOn: "2026-11-01", deliveredOn: "2026-11-18" }), TODAY, RULES)).toBeNull();
  });
});
