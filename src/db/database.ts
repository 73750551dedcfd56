import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, writeSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { Worker } from "node:worker_threads";
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
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly) served on a loopback port,
 * so Prisma and pg use the same wire protocol as production. It runs in a worker thread of
 * its own: the database works on the second core while this thread reads a snapshot or
 * answers a click, where in this thread every statement would stop everything else.
 * `dataDir` "memory://" keeps everything in memory (tests).
 */
export async function openEmbedded(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith("memory://");
  const releaseLock = inMemory ? () => undefined : lockDataDir(dataDir);
  let server: EmbeddedServer | undefined;
  try {
    const pgdata = inMemory ? "memory://" : path.join(dataDir, "pgdata");
    if (!inMemory && !existsSync(path.join(pgdata, "PG_VERSION"))) initDataDir(pgdata);
    server = await startEmbeddedServer(pgdata);
    const pool = new pg.Pool({ host: server.host, port: server.port, user: "postgres", database: "postgres", max: 4 });
    pool.on("error", () => undefined);
    registerDirectCopy(pool, server.copy);
    await ping(pool, "the embedded database");
    const running = server;
    return withPrisma("embedded", pool, async () => {
      await running.close();
      releaseLock();
    });
  } catch (error) {
    await server?.close().catch(() => undefined);
    releaseLock();
    throw error;
  }
}

interface EmbeddedServer {
  host: string;
  port: number;
  /** PGlite's own COPY from a blob, on its one session (see directCopy in sql.ts). */
  copy(sql: string, blob: Blob): Promise<void>;
  close(): Promise<void>;
}

/** What the worker is told and answers, one message at a time. */
type ToWorker = { kind: "copy"; id: number; sql: string; blob: Blob } | { kind: "close" };
type FromWorker =
  | { kind: "ready"; conn: string }
  | { kind: "failed"; message: string }
  | { kind: "copied"; id: number; error?: { message: string; code?: string } }
  | { kind: "closed"; error?: string };

/**
 * The worker's code: PGlite and its socket server, and the two requests the socket cannot
 * carry (a COPY from a blob, and closing). Plain JavaScript evaluated by the worker, so it
 * runs the same from the sources (tests) and from the build.
 */
const EMBEDDED_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { PGlite } = await import(workerData.pglite);
  const { PGLiteSocketServer } = await import(workerData.socket);
  const db = await PGlite.create(workerData.pgdata, { startParams: [...PGlite.defaultStartParams, ...workerData.settings] });
  // The server multiplexes connections onto PGlite's single session and keeps a
  // transaction's statements together, so a small pool behaves like PostgreSQL's.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 8 });
  await server.start();
  parentPort.on("message", async (message) => {
    if (message.kind === "copy") {
      try {
        await db.query(message.sql, [], { blob: message.blob });
        parentPort.postMessage({ kind: "copied", id: message.id });
      } catch (error) {
        parentPort.postMessage({ kind: "copied", id: message.id, error: { message: String(error && error.message), code: error && error.code } });
      }
    } else if (message.kind === "close") {
      try {
        await server.stop();
        await db.close();
        parentPort.postMessage({ kind: "closed" });
      } catch (error) {
        parentPort.postMessage({ kind: "closed", error: String(error && error.message) });
      }
    }
  });
  parentPort.postMessage({ kind: "ready", conn: server.getServerConn() });
})().catch((error) => parentPort.postMessage({ kind: "failed", message: String(error && error.stack || error) }));
`;

async function startEmbeddedServer(pgdata: string): Promise<EmbeddedServer> {
  const worker = new Worker(EMBEDDED_WORKER, {
    eval: true,
    workerData: { pgdata, settings: EMBEDDED_SETTINGS, pglite: import.meta.resolve("@electric-sql/pglite"), socket: import.meta.resolve("@electric-sql/pglite-socket") },
  });
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let state: "starting" | "running" | "closing" | "exited" = "starting";
  let whenClosed: ((error?: Error) => void) | undefined;
  // After start-up the worker is the database: if it fails or exits unasked, the process
  // ends as it would have with PGlite in this thread, for its supervisor to start it again,
  // rather than run on with every query refused.
  const lost = (reason: string) => {
    if (state !== "running") return;
    process.nextTick(() => {
      throw new AppError("db.unreachable", { what: "the embedded database", reason });
    });
  };
  const conn = await new Promise<string>((resolve, reject) => {
    worker.on("error", (error) => {
      reject(error);
      lost(error.message);
    });
    worker.on("exit", (code) => {
      const gone = new Error(`the embedded database's worker exited (${code})`);
      reject(gone);
      for (const request of waiting.values()) request.reject(gone);
      waiting.clear();
      lost(gone.message);
      state = "exited";
      whenClosed?.();
    });
    worker.on("message", (message: FromWorker) => {
      if (message.kind === "ready") {
        state = "running";
        resolve(message.conn);
      } else if (message.kind === "failed") reject(new Error(message.message));
      else if (message.kind === "closed") whenClosed?.(message.error ? new Error(message.error) : undefined);
      else {
        const request = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error) request?.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
        else request?.resolve();
      }
    });
  }).catch(async (error: Error) => {
    await worker.terminate();
    throw error;
  });
  const [host, port] = conn.split(":");
  return {
    host: host!,
    port: Number(port),
    copy: (sql, blob) =>
      new Promise<void>((resolve, reject) => {
        if (state !== "running") return reject(new Error("the embedded database is closed"));
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ kind: "copy", id, sql, blob } satisfies ToWorker);
      }),
    async close() {
      if (state === "exited") return;
      state = "closing";
      const error = await new Promise<Error | undefined>((resolve) => {
        whenClosed = resolve;
        worker.postMessage({ kind: "close" } satisfies ToWorker);
      });
      await worker.terminate();
      if (error) throw error;
    },
  };
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
