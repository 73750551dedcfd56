import { describe, expect, it } from "vitest";
import { instantOf, quietUntil, type QuietHours } from "../../src/domain/quiet.js";

const night: QuietHours = { from: "19:00", to: "08:00", weekends: false };
const until = (q: QuietHours, zone: string, at: string) => quietUntil(q, zone, new Date(at))?.toISOString() ?? null;

describe("quiet hours", () => {
  it("holds a nightly window that spans midnight, in the CSM's own zone", () => {
    // 20:00 in Berlin (CET, +1) on Tuesday 1 December 2026: quiet until 08:00 Berlin on Wednesday.
    expect(until(night, "Europe/Berlin", "2026-12-01T19:00:00Z")).toBe("2026-12-02T07:00:00.000Z");
    // 07:59 Berlin: still quiet; 08:00 Berlin: open.
    expect(until(night, "Europe/Berlin", "2026-12-02T06:59:00Z")).toBe("2026-12-02T07:00:00.000Z");
    expect(until(night, "Europe/Berlin", "2026-12-02T07:00:00Z")).toBeNull();
    // 18:59 Berlin: open.
    expect(until(night, "Europe/Berlin", "2026-12-01T17:59:00Z")).toBeNull();
  });

  it("reads the same instant differently across a time-zone boundary", () => {
    // 2026-12-01 19:30Z is 20:30 in Berlin (quiet) and 14:30 in New York (open).
    expect(until(night, "Europe/Berlin", "2026-12-01T19:30:00Z")).toBe("2026-12-02T07:00:00.000Z");
    expect(until(night, "America/New_York", "2026-12-01T19:30:00Z")).toBeNull();
    // And 01:00Z is 20:00 in New York (quiet until 08:00 EST = 13:00Z) and 02:00 in Berlin (quiet until 07:00Z).
    expect(until(night, "America/New_York", "2026-12-02T01:00:00Z")).toBe("2026-12-02T13:00:00.000Z");
    expect(until(night, "Europe/Berlin", "2026-12-02T01:00:00Z")).toBe("2026-12-02T07:00:00.000Z");
  });

  it("ends at 08:00 local across the night the clocks go back (America/New_York, 1 November 2026)", () => {
    // Saturday 31 October 2026, 23:00 EDT (-4) = 03:00Z; DST ends at 02:00 local on Sunday 1 November.
    // 08:00 on 1 November is EST (-5): 13:00Z, not 12:00Z.
    expect(until(night, "America/New_York", "2026-11-01T03:00:00Z")).toBe("2026-11-01T13:00:00.000Z");
  });

  it("ends at 08:00 local across the night the clocks go forward (Europe/Berlin, 29 March 2026)", () => {
    // Saturday 28 March 2026, 22:00 CET (+1) = 21:00Z; 08:00 on Sunday is CEST (+2): 06:00Z.
    expect(until(night, "Europe/Berlin", "2026-03-28T21:00:00Z")).toBe("2026-03-29T06:00:00.000Z");
  });

  it("holds whole weekends until Monday 00:00 local, and a night window after them", () => {
    const weekends: QuietHours = { from: null, to: null, weekends: true };
    // Saturday 5 December 2026 12:00 Berlin → Monday 7 December 00:00 Berlin (23:00Z Sunday).
    expect(until(weekends, "Europe/Berlin", "2026-12-05T11:00:00Z")).toBe("2026-12-06T23:00:00.000Z");
    expect(until(weekends, "Europe/Berlin", "2026-12-04T11:00:00Z")).toBeNull();
    // Friday night 20:00 Berlin with both: the night runs into the weekend, then Monday's night until 08:00.
    const both: QuietHours = { ...night, weekends: true };
    expect(until(both, "Europe/Berlin", "2026-12-04T19:00:00Z")).toBe("2026-12-07T07:00:00.000Z");
  });

  it("a window within one day, and none at all", () => {
    const lunch: QuietHours = { from: "12:00", to: "13:00", weekends: false };
    expect(until(lunch, "UTC", "2026-12-01T12:30:00Z")).toBe("2026-12-01T13:00:00.000Z");
    expect(until(lunch, "UTC", "2026-12-01T13:00:00Z")).toBeNull();
    expect(until({ from: null, to: null, weekends: false }, "UTC", "2026-12-05T12:00:00Z")).toBeNull();
  });

  it("a wall time skipped by spring-forward is the first instant after the gap", () => {
    // 02:30 on 8 March 2026 does not exist in New York: 03:30 EDT (07:30Z).
    expect(instantOf("America/New_York", 2026, 3, 8, 150).toISOString()).toBe("2026-03-08T07:30:00.000Z");
    expect(instantOf("America/New_York", 2026, 11, 1, 480).toISOString()).toBe("2026-11-01T13:00:00.000Z");
  });
});
