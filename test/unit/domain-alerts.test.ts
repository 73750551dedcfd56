import { describe, expect, it } from "vitest";
import { desiredAlerts, materialKey, reminderDue, resolutionReason, type UseCaseFacts, type AlertRules } from "../../src/domain/alerts.js";
import { DEFAULT_STALL_THRESHOLDS, stageMove } from "../../src/domain/stages.js";

const rules: AlertRules = { asOf: "2026-11-20", stallThresholds: DEFAULT_STALL_THRESHOLDS, baselineOn: "2026-10-01", newWindowDays: 30 };
const usable = { source: "partner" as const, slot: 1, email: "it@customer.example", barrier: "none" as const };

function facts(overrides: Partial<UseCaseFacts> = {}): UseCaseFacts {
  return {
    useCaseDeploymentId: 7,
    stage: "implement",
    stageEnteredOn: "2026-11-01",
    firstSeenOn: "2026-10-01",
    solutionDomain: "Campus Network",
    excluded: false,
    lastStageChange: null,
    contacts: [usable],
    ...overrides,
  };
}
const kinds = (f: UseCaseFacts) => desiredAlerts(f, rules).map((a) => a.kind);

describe("alert rules", () => {
  it("stalls only above the stage's threshold, with days and threshold as facts", () => {
    // Implement: threshold 45. 2026-10-06 → 45 days (not above); 2026-10-05 → 46 days.
    expect(kinds(facts({ stageEnteredOn: "2026-10-06" }))).toEqual([]);
    const [stalled] = desiredAlerts(facts({ stageEnteredOn: "2026-10-05" }), rules);
    expect(stalled).toEqual({ kind: "stalled", subject: "ucd:7", facts: { kind: "stalled", stage: "implement", stageEnteredOn: "2026-10-05", daysInStage: 46, threshold: 45 } });
  });

  it("takes a solution domain's own threshold over the stage's", () => {
    const perDomain = { ...rules, stallThresholds: { ...DEFAULT_STALL_THRESHOLDS, domains: { "Campus Network": { implement: 10 } } } };
    expect(desiredAlerts(facts({ stageEnteredOn: "2026-11-01" }), perDomain).map((a) => a.kind)).toEqual(["stalled"]);
    expect(desiredAlerts(facts({ stageEnteredOn: "2026-11-01", solutionDomain: "Zero Trust" }), perDomain).map((a) => a.kind)).toEqual([]);
  });

  it("never stalls in Optimize, and reads thresholds from configuration", () => {
    expect(kinds(facts({ stage: "optimize", stageEnteredOn: "2020-01-01" }))).toEqual([]);
    const strict = { ...rules, stallThresholds: { ...DEFAULT_STALL_THRESHOLDS, implement: 5 } };
    expect(desiredAlerts(facts({ stageEnteredOn: "2026-11-10" }), strict).map((a) => a.kind)).toEqual(["stalled"]);
  });

  it("raises a regression while the last stage change went backwards", () => {
    expect(kinds(facts({ lastStageChange: { from: "use", to: "implement", observedOn: "2026-11-20" } }))).toEqual(["regression"]);
    expect(kinds(facts({ lastStageChange: { from: "onboard", to: "implement", observedOn: "2026-11-20" } }))).toEqual([]);
    expect(kinds(facts({ lastStageChange: { from: null, to: "implement", observedOn: "2026-10-01" } }))).toEqual([]);
  });

  it("calls a use case new within 30 days of its first sighting, never one of the baseline", () => {
    expect(kinds(facts({ firstSeenOn: "2026-11-19" }))).toEqual(["new_use_case"]);
    expect(kinds(facts({ firstSeenOn: "2026-10-21" }))).toEqual(["new_use_case"]);
    expect(kinds(facts({ firstSeenOn: "2026-10-20" }))).toEqual([]);
    expect(kinds(facts({ firstSeenOn: "2026-10-01" }))).toEqual([]);
  });

  it("flags each barred partner contact, and a barred Cisco contact only without a usable partner contact", () => {
    const ciscoBounced = { source: "cisco" as const, slot: 0, email: "cio@customer.example", barrier: "hard_bounce" as const };
    expect(kinds(facts({ contacts: [ciscoBounced, usable] }))).toEqual([]);
    const alerts = desiredAlerts(facts({ contacts: [ciscoBounced, { ...usable, barrier: "unsubscribed" }] }), rules);
    expect(alerts.map((a) => [a.kind, a.subject])).toEqual([
      ["bounced_contact", "ucd:7:cisco:0"],
      ["bounced_contact", "ucd:7:partner:1"],
      ["missing_contact", "ucd:7"],
    ]);
  });

  it("raises missing_contact with no contact at all, and nothing once one is usable", () => {
    expect(kinds(facts({ contacts: [] }))).toEqual(["missing_contact"]);
    expect(kinds(facts({ contacts: [usable] }))).toEqual([]);
  });

  it("raises nothing for an excluded use case or account", () => {
    expect(kinds(facts({ excluded: true, contacts: [], stageEnteredOn: "2020-01-01", firstSeenOn: "2026-11-19" }))).toEqual([]);
  });

  it("treats growing days in stage as the same alert and a new stage entry as a new one", () => {
    const a = desiredAlerts(facts({ stageEnteredOn: "2026-09-01" }), rules)[0]!;
    const later = desiredAlerts(facts({ stageEnteredOn: "2026-09-01" }), { ...rules, asOf: "2026-11-25" })[0]!;
    const reentered = desiredAlerts(facts({ stageEnteredOn: "2026-09-02" }), rules)[0]!;
    expect(materialKey(a.facts)).toBe(materialKey(later.facts));
    expect(materialKey(a.facts)).not.toBe(materialKey(reentered.facts));
  });

  it("names why an alert resolved", () => {
    expect(resolutionReason("stalled", { active: false, excluded: false })).toBe("removed");
    expect(resolutionReason("stalled", { active: true, excluded: true })).toBe("excluded");
    expect(resolutionReason("stalled", { active: true, excluded: false })).toBe("stage_changed");
    expect(resolutionReason("missing_contact", { active: true, excluded: false })).toBe("contact_fixed");
  });

  it("reminds about an untouched stalled alert after the interval, not before, not when snoozed or acted on", () => {
    const alert = { kind: "stalled" as const, lastNotifiedOn: "2026-11-13", actedSinceNotice: false, snoozedUntil: null };
    expect(reminderDue(alert, "2026-11-20", 7)).toBe(true);
    expect(reminderDue(alert, "2026-11-19", 7)).toBe(false);
    expect(reminderDue({ ...alert, actedSinceNotice: true }, "2026-11-20", 7)).toBe(false);
    expect(reminderDue({ ...alert, snoozedUntil: "2026-11-21" }, "2026-11-20", 7)).toBe(false);
    expect(reminderDue({ ...alert, kind: "missing_contact" }, "2026-11-20", 7)).toBe(false);
  });

  it("orders stages", () => {
    expect(stageMove("purchase", "optimize")).toBe("progression");
    expect(stageMove("adopt", "use")).toBe("regression");
    expect(stageMove("use", "use")).toBe("none");
  });
});
