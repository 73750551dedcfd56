import { describe, expect, it } from "vitest";
import { lcaUrl } from "../../src/actions/context.js";
import { digestView, enqueueDueDigests } from "../../src/alerts/digest.js";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/database.js";
import { loadDemo } from "../../src/demo/load.js";
import { createTestDatabase } from "../support/db.js";

describe("daily digests", () => {
  it("rank a CSM's open alerts and go out once per day at the CSM's local time, once per cluster", async () => {
    const db = await createTestDatabase("postgres");
    const second = await openDatabase({ kind: "postgres", url: db.url! });
    const config = loadConfig({});
    try {
      await loadDemo(db, config, "2026-11-23", ["preview"]);
      const anna = await db.prisma.csm.findUniqueOrThrow({ where: { email: "anna.petrova@partner.example" } });
      const view = await digestView(db.prisma, anna.id, "2026-11-23", config.alerts.stallThresholds, lcaUrl(config));
      expect(view).not.toBeNull();
      const total = Object.values(view!.counts).reduce((a, b) => a + b, 0);
      expect(total).toBe(await db.prisma.alert.count({ where: { status: "open", useCaseDeployment: { deployment: { assignedCsmId: anna.id } } } }));
      expect(view!.top.length).toBeLessThanOrEqual(10);
      const order = ["regression", "stalled", "missing_contact", "bounced_contact", "new_use_case"];
      const ranks = view!.top.map((i) => order.indexOf(i.kind));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

      // Anna lives in Europe/Moscow (UTC+3) with the default digest time 08:00.
      const at = (iso: string) => ({ now: new Date(iso), defaultTimeZone: "UTC", channels: ["preview" as const, "slack" as const], instance: "test" });
      expect(await enqueueDueDigests(db.pool, at("2026-11-23T04:59:00Z"))).toBe(0);
      const [a, b] = await Promise.all([enqueueDueDigests(db.pool, at("2026-11-23T05:00:00Z")), enqueueDueDigests(second.pool, at("2026-11-23T05:00:30Z"))]);
      const rows = await db.prisma.outboxMessage.findMany({ where: { kind: "digest", csmId: anna.id } });
      expect(rows.map((r) => r.channel).sort()).toEqual(["preview", "slack"]);
      expect(a + b).toBeGreaterThanOrEqual(2);
      expect(await enqueueDueDigests(db.pool, at("2026-11-23T05:00:45Z"))).toBe(0);
    } finally {
      await second.close();
      await db.close();
    }
  });
});
