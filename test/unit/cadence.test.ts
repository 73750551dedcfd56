import { describe, expect, it } from "vitest";
import { mondaysFromRefreshTime, weekdaysFromRefreshTime } from "../../src/jobs/cadence.js";

const config = { refresh: { time: "07:15" }, partner: { timeZone: "Europe/Berlin" } } as Parameters<typeof weekdaysFromRefreshTime>[0];
const next = (from: string) => (weekdaysFromRefreshTime(config).nextInvocationDate(new Date(from)) as unknown as Date).toISOString();

describe("the LCA cadence", () => {
  it("starts at REFRESH_TIME in TIME_ZONE on a weekday, then every 30 minutes", () => {
    // Monday 30 November 2026, 05:00 UTC = 06:00 in Berlin.
    expect(next("2026-11-30T05:00:00Z")).toBe("2026-11-30T06:15:00.000Z");
    expect(next("2026-11-30T06:15:00Z")).toBe("2026-11-30T06:45:00.000Z");
  });

  it("skips the weekend: from Friday night to Monday at REFRESH_TIME", () => {
    expect(next("2026-12-04T22:50:00Z")).toBe("2026-12-07T06:15:00.000Z");
  });
});

describe("the weekly team report's cadence", () => {
  const monday = (from: string) => (mondaysFromRefreshTime(config).nextInvocationDate(new Date(from)) as unknown as Date).toISOString();

  it("runs on Mondays from REFRESH_TIME in TIME_ZONE, every 30 minutes, and waits a week after", () => {
    expect(monday("2026-11-30T05:00:00Z")).toBe("2026-11-30T06:15:00.000Z");
    expect(monday("2026-11-30T06:15:00Z")).toBe("2026-11-30T06:45:00.000Z");
    // Tuesday: the next Monday.
    expect(monday("2026-12-01T06:15:00Z")).toBe("2026-12-07T06:15:00.000Z");
  });
});
