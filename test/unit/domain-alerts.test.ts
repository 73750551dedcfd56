import { describe, expect, it } from "vitest";
import { desiredAlerts, lcaWaitOf, materialKey, reminderDue, resolutionReason, type UseCaseFacts, type AlertRules, type DesiredAlert } from "../../src/domain/alerts.js";
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

  it("flags each barred partner contact, and a barred Cisco contact only without any partner contact", () => {
    const ciscoBounced = { source: "cisco" as const, slot: 0, email: "cio@customer.example", barrier: "hard_bounce" as const };
    expect(kinds(facts({ contacts: [ciscoBounced, usable] }))).toEqual([]);
    // Every contact barred: one alert, the partner slot's (replacing it is the fix for both).
    const alerts = desiredAlerts(facts({ contacts: [ciscoBounced, { ...usable, barrier: "unsubscribed" }] }), rules);
    expect(alerts.map((a) => [a.kind, a.subject])).toEqual([["bounced_contact", "ucd:7:partner:1"]]);
    const second = { ...usable, slot: 2, email: "ops@customer.example", barrier: "hard_bounce" as const };
    expect(desiredAlerts(facts({ contacts: [{ ...usable, barrier: "unsubscribed" }, second] }), rules).map((a) => a.subject)).toEqual(["ucd:7:partner:1", "ucd:7:partner:2"]);
  });

  it("raises one bounced_contact, not missing_contact too, when the only contact is barred", () => {
    const ciscoBounced = { source: "cisco" as const, slot: 0, email: "cio@customer.example", barrier: "hard_bounce" as const };
    expect(desiredAlerts(facts({ contacts: [ciscoBounced] }), rules).map((a) => [a.kind, a.subject])).toEqual([["bounced_contact", "ucd:7:cisco:0"]]);
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

  it("reminds about a stalled alert after the interval, not before, not while snoozed", () => {
    const alert = { kind: "stalled" as const, lastNotifiedOn: "2026-11-13", lastActedOn: null, snoozedUntil: null };
    expect(reminderDue(alert, "2026-11-20", 7)).toBe(true);
    expect(reminderDue(alert, "2026-11-19", 7)).toBe(false);
    expect(reminderDue({ ...alert, snoozedUntil: "2026-11-21" }, "2026-11-20", 7)).toBe(false);
    expect(reminderDue({ ...alert, kind: "new_use_case" }, "2026-11-20", 7)).toBe(false);
    expect(reminderDue({ ...alert, kind: "regression" }, "2026-11-20", 7)).toBe(false);
  });

  it("postpones the follow-up by the interval after a step that keeps the recommendation open, and does not end it", () => {
    const acted = { kind: "stalled" as const, lastNotifiedOn: "2026-11-13", lastActedOn: "2026-11-16", snoozedUntil: null };
    expect(reminderDue(acted, "2026-11-20", 7)).toBe(false);
    expect(reminderDue(acted, "2026-11-22", 7)).toBe(false);
    expect(reminderDue(acted, "2026-11-23", 7)).toBe(true);
    // A step before the last notice counts from the notice.
    expect(reminderDue({ ...acted, lastActedOn: "2026-11-10" }, "2026-11-20", 7)).toBe(true);
  });

  it("reminds about a contact alert, except while its chat fix waits for LCA", () => {
    const alert = { kind: "bounced_contact" as const, lastNotifiedOn: "2026-11-13", lastActedOn: null, snoozedUntil: null };
    expect(reminderDue(alert, "2026-11-20", 7)).toBe(true);
    expect(reminderDue({ ...alert, kind: "missing_contact" }, "2026-11-20", 7)).toBe(true);
    expect(reminderDue({ ...alert, lcaWait: "waiting" }, "2026-11-20", 7)).toBe(false);
    expect(reminderDue({ ...alert, lcaWait: "upload_pending" }, "2026-11-20", 7)).toBe(true);
  });

  it("holds a contact alert fixed in chat for LCA: waiting while a fix is in its grace days, upload pending once all went stale", () => {
    const [partner] = desiredAlerts(facts({ contacts: [{ ...usable, barrier: "hard_bounce" }] }), rules) as [DesiredAlert];
    const [cisco] = desiredAlerts(facts({ contacts: [{ source: "cisco", slot: 0, email: "cio@customer.example", barrier: "unsubscribed" }] }), rules) as [DesiredAlert];
    const [missing] = desiredAlerts(facts({ contacts: [] }), rules) as [DesiredAlert];
    expect(lcaWaitOf(partner, [{ slot: 1, status: "pending" }])).toBe("waiting");
    expect(lcaWaitOf(partner, [{ slot: 1, status: "stale" }])).toBe("upload_pending");
    // Another slot's change does not fix this slot.
    expect(lcaWaitOf(partner, [{ slot: 2, status: "pending" }])).toBeNull();
    expect(lcaWaitOf(partner, [])).toBeNull();
    expect(lcaWaitOf(cisco, [{ slot: 2, status: "pending" }])).toBe("waiting");
    expect(lcaWaitOf(missing, [{ slot: 1, status: "stale" }, { slot: 2, status: "pending" }])).toBe("waiting");
    expect(lcaWaitOf(missing, [{ slot: 1, status: "stale" }, { slot: 2, status: "stale" }])).toBe("upload_pending");
    const [stalled] = desiredAlerts(facts({ stageEnteredOn: "2026-09-01" }), rules) as [DesiredAlert];
    expect(lcaWaitOf(stalled, [{ slot: 1, status: "pending" }])).toBeNull();
  });

  it("orders stages", () => {
    expect(stageMove("purchase", "optimize")).toBe("progression");
    expect(stageMove("adopt", "use")).toBe("regression");
    expect(stageMove("use", "use")).toBe("none");
  });
});

describe("the recommendation of a use case without telemetry", () => {
  it("is to turn telemetry on first when it is stalled or regressed; other kinds keep theirs", async () => {
    const { recommendationFor } = await import("../../src/domain/recommendations.js");
    expect(recommendationFor("stalled", { telemetry: false })).toBe("enable_telemetry");
    expect(recommendationFor("regression", { telemetry: false })).toBe("enable_telemetry");
    expect(recommendationFor("stalled", { telemetry: true })).toBe("find_adoption_barrier");
    expect(recommendationFor("bounced_contact", { telemetry: false })).toBe("update_contact");
    expect(recommendationFor("new_use_case", { telemetry: false })).toBe("review_new_use_case");
  });
});
