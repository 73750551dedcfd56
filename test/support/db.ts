import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, openEmbedded, type Database } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export type DbKind = "embedded" | "postgres";
export const DB_KINDS: DbKind[] = ["embedded", "postgres"];

export interface TestDatabase extends Database {
  /** For PostgreSQL: the URL of the throw-away database (a second instance can connect). */
  url?: string;
}

/** A fresh, migrated database: PGlite in memory, or a new database on the local PostgreSQL (dropped by close()). */
export async function createTestDatabase(kind: DbKind, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (kind === "embedded") {
    const db = await openEmbedded("memory://");
    if (options.migrate !== false) await migrate(db.pool);
    return db;
  }
  const name = `lca_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await openDatabase({ kind: "postgres", url });
  if (options.migrate !== false) await migrate(db.pool);
  return {
    ...db,
    url,
    async close() {
      await db.close();
      await dropDatabase(name);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
