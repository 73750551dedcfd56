import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, openEmbedded } from "../../src/db/database.js";
import { migrate, migrationsApplied, readMigrations } from "../../src/db/migrate.js";
import { AppError } from "../../src/errors.js";
import { createTestDatabase, DB_KINDS } from "../support/db.js";

describe.each(DB_KINDS)("schema and migrations on %s", (kind) => {
  it("migrates an empty database once, records it as Prisma does, and then has nothing to do", async () => {
    const db = await createTestDatabase(kind, { migrate: false });
    try {
      expect(await migrationsApplied(db.pool)).toBe(false);
      const first = await migrate(db.pool);
      expect(first.applied).toEqual(readMigrations().map((m) => m.name));
      expect(await migrate(db.pool)).toEqual({ applied: [], alreadyApplied: first.applied.length });
      expect(await migrationsApplied(db.pool)).toBe(true);
      const { rows } = await db.pool.query(`SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"`);
      expect(rows[0]).toMatchObject({ migration_name: first.applied[0], checksum: readMigrations()[0]!.checksum, applied_steps_count: 1 });
    } finally {
      await db.close();
    }
  });

  it("holds the domain model: a customer's deployment, use case, contacts and one open alert per subject", async () => {
    const db = await createTestDatabase(kind);
    try {
      const csm = await db.prisma.csm.create({ data: { email: "anna.petrova@partner.example", name: "Anna Petrova", locale: "ru", identities: { create: { chat: "webex", userId: "Y2lzY29zcGFyazovL3VzL1BFT1BMRS8x", verified: true } } } });
      const customer = await db.prisma.customer.create({ data: { crPartyId: "300112345", name: "Northwind Logistics", cxbu: "Northwind Group", ea: true } });
      const deployment = await db.prisma.deployment.create({ data: { deploymentId: "DPL101X431", customerId: customer.id, assignedCsmId: csm.id } });
      const useCase = await db.prisma.useCase.create({ data: { architecture: "Networking", solutionDomain: "Campus Network", name: "Campus Network Automation", cpiAvailable: true } });
      const ucd = await db.prisma.useCaseDeployment.create({
        data: {
          deploymentId: deployment.id, useCaseId: useCase.id, stage: "implement", stageEnteredOn: new Date("2026-09-01"), addedOn: new Date("2026-02-23"),
          firstSeenOn: new Date("2026-11-01"), tags: ["Enterprise", "Strategic"],
          contacts: { create: [{ source: "cisco", slot: 0, email: "it.director@northwind.example", deliveryBarrier: "hard_bounce" }] },
        },
      });
      const alert = { kind: "stalled" as const, subject: `ucd:${ucd.id}`, useCaseDeploymentId: ucd.id, facts: {}, openedOn: new Date("2026-11-20") };
      await db.prisma.alert.create({ data: alert });
      await expect(db.prisma.alert.create({ data: alert })).rejects.toThrow();
      const found = await db.prisma.useCaseDeployment.findMany({ where: { tags: { has: "Strategic" }, deployment: { assignedCsmId: csm.id } }, include: { contacts: true } });
      expect(found).toHaveLength(1);
      expect(found[0]!.contacts[0]!.deliveryBarrier).toBe("hard_bounce");
    } finally {
      await db.close();
    }
  });

  it("refuses to start on a database migrated by a newer version", async () => {
    const db = await createTestDatabase(kind);
    try {
      await db.pool.query(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ('x', 'y', now(), '29990101000000_future', 1)`);
      const error = await migrate(db.pool).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("db.migrationUnknown");
    } finally {
      await db.close();
    }
  });
});

describe("migrations on PostgreSQL", () => {
  it("are applied by exactly one of two instances starting at once", async () => {
    const db = await createTestDatabase("postgres", { migrate: false });
    const second = await openDatabase({ kind: "postgres", url: db.url! });
    try {
      const [a, b] = await Promise.all([migrate(db.pool), migrate(second.pool)]);
      expect([a.applied.length, b.applied.length].sort()).toEqual([0, readMigrations().length]);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(rows[0].n).toBe(readMigrations().length);
    } finally {
      await second.close();
      await db.close();
    }
  });
});

describe("the embedded database on disk", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "lca-data-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a folder another live process holds, and takes over a dead one's lock", async () => {
    const other = path.join(dir, "other");
    mkdirSync(other);
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      writeFileSync(path.join(other, "lca-bot.lock"), String(child.pid));
      expect(((await openEmbedded(other).catch((e: unknown) => e)) as AppError).code).toBe("db.locked");
    } finally {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    const db = await openEmbedded(other);
    await db.close();
  });

  it("keeps its data across restarts and refuses a second open of the same folder", async () => {
    const db = await openEmbedded(dir);
    await migrate(db.pool);
    await db.prisma.customer.create({ data: { crPartyId: "1", name: "Kept" } });
    const error = await openEmbedded(dir).catch((e: unknown) => e);
    expect((error as AppError).code).toBe("db.locked");
    await db.close();
    const again = await openEmbedded(dir);
    try {
      expect(await migrate(again.pool)).toMatchObject({ applied: [] });
      expect(await again.prisma.customer.count()).toBe(1);
    } finally {
      await again.close();
    }
  });
});
