import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, writeSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { PrismaClient } from "../generated/prisma/client.js";
import type { DatabaseConfig } from "../config.js";
import { AppError } from "../errors.js";
import { registerDirectCopy } from "./sql.js";

export type { PrismaClient };

/**
 * One way to talk to the database whichever it is: Prisma for the model, and the same
 * pg pool for the few set-based statements (ingest, outbox claims) Prisma cannot express.
 */
export interface Database {
  kind: DatabaseConfig["kind"];
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

// Dates are calendar dates in LCA: keep DATE columns as "YYYY-MM-DD" strings in raw SQL.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// JS Dates go to the server as UTC, matching the sessions' TimeZone=UTC.
pg.defaults.parseInputDatesAsUTC = true;
// COUNT(*) and BIGINT ids fit in a JS number for any partner's portfolio.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === "postgres" ? openPostgres(config.url) : openEmbedded(config.dataDir);
}

function withPrisma(kind: Database["kind"], pool: pg.Pool, closeRest: () => Promise<void>): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind,
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
      await closeRest();
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  // Timestamps are written and read as UTC whatever the server's or this machine's zone.
  const pool = new pg.Pool({ connectionString: url, max: 10, options: "-c TimeZone=UTC" });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  await ping(pool, "PostgreSQL at DATABASE_URL");
  return withPrisma("postgres", pool, async () => undefined);
}

/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly) in this process, served on
 * a loopback port so Prisma and pg use the same wire protocol as production. `dataDir`
 * "memory://" keeps everything in memory (tests).
 */
export async function openEmbedded(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith("memory://");
  const releaseLock = inMemory ? () => undefined : lockDataDir(dataDir);
  try {
    const pgdata = inMemory ? "memory://" : path.join(dataDir, "pgdata");
    if (!inMemory && !existsSync(path.join(pgdata, "PG_VERSION"))) initDataDir(pgdata);
    const pglite = await PGlite.create(pgdata, { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
    // The server multiplexes connections onto PGlite's single session and keeps a
    // transaction's statements together, so a small pool behaves like PostgreSQL's.
    const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0, maxConnections: 8 });
    await server.start();
    const [host, port] = server.getServerConn().split(":");
    const pool = new pg.Pool({ host, port: Number(port), user: "postgres", database: "postgres", max: 4 });
    pool.on("error", () => undefined);
    registerDirectCopy(pool, async (sql, blob) => {
      await pglite.query(sql, [], { blob });
    });
    await ping(pool, "the embedded database");
    return withPrisma("embedded", pool, async () => {
      await server.stop();
      await pglite.close();
      releaseLock();
    });
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/**
 * The embedded server's settings, sized for what the data needs rather than PostgreSQL's
 * defaults for a server of its own: PGlite's memory is one WebAssembly heap that only ever
 * grows, so every buffer here is RSS for the life of the process. shared_buffers (128 MB by
 * default) is the biggest: 32 MB holds the hot pages of a 200,000-row portfolio's indexes,
 * and the files stay in the OS page cache besides. maintenance_work_mem bounds an index
 * build, work_mem a sort or hash; beyond them a statement spills to temporary files. The
 * heap starts at 128 MB, the least its module accepts (`initialMemory` lower fails to link),
 * so these fit in it and it grows only for what a statement holds.
 * Measured figures: README.md ("Memory").
 */
export const EMBEDDED_SETTINGS = ["-c", "shared_buffers=32MB", "-c", "wal_buffers=1MB", "-c", "maintenance_work_mem=32MB", "-c", "work_mem=4MB", "-c", "temp_buffers=8MB"];

/**
 * Creates a new embedded data directory (initdb) in a short-lived child process. PGlite's
 * initdb loads a second WebAssembly module and peaks near 1 GB; in a child that memory is
 * returned to the system when it exits, instead of staying the service's (or the first
 * ingest's) high-water mark. The parent holds the directory's lock meanwhile.
 */
function initDataDir(pgdata: string): void {
  mkdirSync(pgdata, { recursive: true });
  const module = import.meta.resolve("@electric-sql/pglite");
  const script = `const { PGlite } = await import(${JSON.stringify(module)}); const db = await PGlite.create(process.argv[1]); await db.close();`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script, pgdata], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) throw new AppError("db.unreachable", { what: "the embedded database", reason: `initdb in ${pgdata} failed: ${result.stderr.trim().split("\n").pop() ?? result.status}` });
}

async function ping(pool: pg.Pool, what: string): Promise<void> {
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new AppError("db.unreachable", { what, reason: (error as Error).message }, error);
  }
}

/**
 * PGlite allows one process per data directory; a second one would corrupt it. A lock file
 * holding our pid refuses a second instance; a lock left by a dead process is taken over.
 */
const heldLocks = new Set<string>();

function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.resolve(dataDir, "lca-bot.lock");
  if (heldLocks.has(lockFile)) throw new AppError("db.locked", { dataDir, pid: process.pid });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(lockFile);
      return () => {
        heldLocks.delete(lockFile);
        rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lockFile, "utf8").trim());
      // Our own pid in a lock we do not hold is a leftover (a container restarts as pid 1).
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new AppError("db.locked", { dataDir, pid: holder });
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new AppError("db.locked", { dataDir, pid: 0 });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
