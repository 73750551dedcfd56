import { describe, expect, it } from "vitest";
import { lcaUrl } from "../../src/config.js";
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
      await loadDemo(db, config, "2026-11-23");
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
      const at = (iso: string) => ({ now: new Date(iso), defaultTimeZone: "UTC", channels: ["preview" as const, "slack" as const] });
      const annas = () => db.prisma.outboxMessage.count({ where: { kind: "digest", csmId: anna.id } });
      await enqueueDueDigests(db.pool, at("2026-11-23T04:59:00Z"));
      expect(await annas()).toBe(0);
      await Promise.all([enqueueDueDigests(db.pool, at("2026-11-23T05:00:00Z")), enqueueDueDigests(second.pool, at("2026-11-23T05:00:30Z"))]);
      const rows = await db.prisma.outboxMessage.findMany({ where: { kind: "digest", csmId: anna.id } });
      expect(rows.map((r) => r.channel).sort()).toEqual(["preview", "slack"]);
      expect(rows[0]!.payload).toEqual({ csmId: anna.id, date: "2026-11-23" });
      // Later minutes, on any instance, add nothing for her that day.
      await enqueueDueDigests(second.pool, at("2026-11-23T09:30:00Z"));
      expect(await annas()).toBe(2);
      // An instance that was down at 08:00 Berlin time catches up Sophie's digest later that day.
      const sophie = await db.prisma.csm.findUniqueOrThrow({ where: { email: "sophie.mueller@partner.example" } });
      expect(await db.prisma.outboxMessage.count({ where: { kind: "digest", csmId: sophie.id } })).toBe(2);

      // The digest follows the subscriptions: without stalled alerts subscribed, none are listed.
      await db.prisma.subscription.updateMany({ where: { csmId: anna.id }, data: { kinds: ["missing_contact"] } });
      const narrowed = await digestView(db.prisma, anna.id, "2026-11-23", config.alerts.stallThresholds, lcaUrl(config));
      expect(narrowed?.top.every((item) => item.kind === "missing_contact") ?? true).toBe(true);
      expect(narrowed?.counts.stalled ?? 0).toBe(0);
      // A filtered subscription reaches deployments that are not hers.
      await db.prisma.subscription.create({ data: { csmId: anna.id, kinds: ["stalled"], filters: { tags: ["Strategic"] } } });
      const strategic = await digestView(db.prisma, anna.id, "2026-11-23", config.alerts.stallThresholds, lcaUrl(config));
      const allStrategicStalled = await db.prisma.alert.count({ where: { status: "open", kind: "stalled", useCaseDeployment: { active: true, tags: { has: "Strategic" } } } });
      expect(strategic!.counts.stalled).toBe(allStrategicStalled);
    } finally {
      await second.close();
      await db.close();
    }
  });
});
