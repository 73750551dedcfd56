import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { AppError } from "../errors.js";
import { projectPath } from "../paths.js";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Prisma's folder format: prisma/migrations/<timestamp>_<name>/migration.sql, in name order. */
export function readMigrations(dir = projectPath("prisma", "migrations")): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// Prisma's own bookkeeping table, so `prisma migrate deploy` on a connected machine sees
// exactly what we applied (and we see what it applied).
const PRISMA_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Any constant shared by every instance: the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 0x4c_43_41_6d; // "LCAm"

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending migrations, each in its own transaction together with its bookkeeping row,
 * under a session advisory lock: a second instance starting at the same time waits, then
 * finds nothing to do.
 */
export async function migrate(pool: pg.Pool, migrations = readMigrations()): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(PRISMA_MIGRATIONS_TABLE);
      const { rows } = await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
        `SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"`,
      );
      const known = new Set(migrations.map((m) => m.name));
      const done = new Set<string>();
      for (const row of rows) {
        if (row.rolled_back_at) continue;
        if (!known.has(row.migration_name)) throw new AppError("db.migrationUnknown", { name: row.migration_name });
        if (!row.finished_at) {
          throw new AppError("db.migrationFailed", { name: row.migration_name, reason: "it was started and never finished; resolve it with `prisma migrate resolve`" });
        }
        done.add(row.migration_name);
      }
      const applied: string[] = [];
      for (const migration of migrations.filter((m) => !done.has(m.name))) {
        try {
          await client.query("BEGIN");
          await client.query(migration.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
             VALUES ($1, $2, now(), $3, now(), 1)`,
            [randomUUID(), migration.checksum, migration.name],
          );
          await client.query("COMMIT");
          applied.push(migration.name);
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw new AppError("db.migrationFailed", { name: migration.name, reason: (error as Error).message }, error);
        }
      }
      return { applied, alreadyApplied: done.size };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

/** For readiness: true when every migration this version knows is applied. */
export async function migrationsApplied(pool: pg.Pool, migrations = readMigrations()): Promise<boolean> {
  const { rows } = await pool
    .query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    )
    .catch(() => ({ rows: [] as { migration_name: string }[] }));
  const done = new Set(rows.map((r) => r.migration_name));
  return migrations.every((m) => done.has(m.name));
}
