/**
 * npm run bench:ingest — a 200,000-row LCA snapshot, then a next-day snapshot with 2%
 * changes, ingested on the embedded database and on PostgreSQL, next to the floor: the time
 * PostgreSQL's own COPY takes to load the same rows into a plain table. Each step runs in
 * its own process so its peak RSS is its own. The ingest is what users run: the built CLI,
 * `node bin/lca-bot.js ingest --json FILE`, on dist/ (built first when src/ is newer); its
 * time is the one the CLI reports (durationMs), the whole process's beside it.
 *
 *   ROWS=200000 PG_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:ingest
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROWS = Number(process.env.ROWS ?? 200_000);
const ADMIN_URL = process.env.PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const DAY1 = "2026-11-19";
const DAY2 = "2026-11-20";
const self = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(self), "..");

interface StepResult {
  ms: number;
  rows: number;
  maxRssMb: number;
  note?: string;
}

async function step(kind: string, args: string[]): Promise<StepResult> {
  const started = performance.now();
  let rows = 0;
  let note: string | undefined;
  if (kind === "generate") {
    const { generatePortfolio, nextDay } = await import("../src/demo/portfolio.js");
    const { writeSnapshot } = await import("../src/demo/write-snapshot.js");
    const [dir] = args as [string];
    const csms = Array.from({ length: 40 }, (_, i) => `csm${i}@partner.example`);
    const day1 = generatePortfolio({ seed: 2026, customers: Math.ceil(ROWS / 7) + 1000, maxRows: ROWS, asOf: DAY1, csmEmails: csms, partnerDomain: "partner.example" });
    await writeSnapshot(day1.rows, path.join(dir, "day1.csv"));
    const day2 = nextDay(day1, { seed: 7, asOf: DAY2, changeRate: 0.02 });
    await writeSnapshot(day2.rows, path.join(dir, "day2.csv"));
    rows = day1.rows.length;
    note = `day 2: ${day2.rows.length} rows`;
  } else if (kind === "copy") {
    const [database, file] = args as [string, string];
    const header = readFileSync(file, "utf8").slice(0, 4000).split("\n")[0]!.split(",");
    const ddl = `CREATE TABLE copy_floor (${header.map((_, i) => `c${i} text`).join(", ")})`;
    if (database.startsWith("postgres")) {
      const client = new pg.Client({ connectionString: database });
      await client.connect();
      await client.query(ddl);
      await client.end();
      const t0 = performance.now();
      const result = spawnSync("psql", [database, "-q", "-c", `\\copy copy_floor FROM '${file}' WITH (FORMAT csv, HEADER)`], { encoding: "utf8" });
      if (result.status !== 0) throw new Error(result.stderr);
      return { ms: performance.now() - t0, rows: ROWS, maxRssMb: process.resourceUsage().maxRSS / 1024, note: "psql \\copy" };
    }
    const { PGlite } = await import("@electric-sql/pglite");
    const db = await PGlite.create(database);
    await db.exec(ddl);
    const blob = new Blob([readFileSync(file)]);
    const t0 = performance.now();
    await db.query(`COPY copy_floor FROM '/dev/blob' WITH (FORMAT csv, HEADER)`, [], { blob });
    const ms = performance.now() - t0;
    await db.close();
    return { ms, rows: ROWS, maxRssMb: process.resourceUsage().maxRSS / 1024, note: "PGlite COPY FROM blob" };
  }
  return { ms: performance.now() - started, rows, maxRssMb: process.resourceUsage().maxRSS / 1024, ...(note ? { note } : {}) };
}

/**
 * One ingest as a user runs it: the built CLI in a process of its own, configured through
 * the documented settings (DATABASE_URL, or DATA_DIR for the embedded database).
 */
function ingest(database: string, file: string, asOf: string, dir: string): StepResult {
  const rssFile = path.join(dir, `rss-${process.hrtime.bigint()}`);
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const env = database.startsWith("postgres")
    ? { ...inherited, DATABASE_URL: database, PARTNER_NAME: "Bench Partner", PARTNER_DOMAINS: "partner.example" }
    : { ...inherited, DATA_DIR: database };
  const t0 = performance.now();
  const result = spawnSync(process.execPath, ["--import", path.join(ROOT, "bench", "max-rss.mjs"), path.join(ROOT, "bin", "lca-bot.js"), "ingest", "--json", "--as-of", asOf, file], {
    cwd: ROOT,
    env: { ...env, BENCH_MAX_RSS_FILE: rssFile, LOG_LEVEL: "warn" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const processMs = performance.now() - t0;
  const line = result.stdout.trim().split("\n").pop() ?? "";
  if (result.status !== 0 || !line.startsWith("{")) throw new Error(`lca-bot ingest ${file} failed:\n${result.stdout}\n${result.stderr}`);
  const summary = JSON.parse(line) as {
    rowsRead: number;
    rowsUnchanged: number;
    durationMs: number;
    phaseMs: { reading: number; merging: number; alerts: number };
    useCaseDeployments: { created: number; updated: number; removed: number };
    alerts: { opened: Record<string, number>; resolved: Record<string, number> };
  };
  const opened = Object.values(summary.alerts.opened).reduce((a, b) => a + b, 0);
  const resolved = Object.values(summary.alerts.resolved).reduce((a, b) => a + b, 0);
  const ucd = summary.useCaseDeployments;
  return {
    ms: summary.durationMs,
    rows: summary.rowsRead,
    maxRssMb: Number(readFileSync(rssFile, "utf8")) / 1024,
    note: `ucd +${ucd.created} ~${ucd.updated} -${ucd.removed}, alerts +${opened} -${resolved}; ${summary.rowsUnchanged} rows as before; reading ${sec(summary.phaseMs.reading)} merging ${sec(summary.phaseMs.merging)} alerts ${sec(summary.phaseMs.alerts)} s; process ${(processMs / 1000).toFixed(2)} s`,
  };
}

const sec = (ms: number) => (ms / 1000).toFixed(2);

/** Builds dist/ when a source file is newer than the built CLI: the bench measures the code as it stands. */
function buildIfStale(): void {
  const built = (() => {
    try {
      return statSync(path.join(ROOT, "dist", "cli.js")).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = readdirSync(path.join(ROOT, "src"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  if (sources.every((e) => statSync(path.join(e.parentPath, e.name)).mtimeMs <= built)) return;
  console.log("Building dist/ (npm run build): src/ is newer than the built CLI…");
  const result = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build failed");
}

function run(kind: string, ...args: string[]): StepResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", self, "--step", kind, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const line = result.stdout.trim().split("\n").pop() ?? "";
  if (result.status !== 0 || !line.startsWith("{")) throw new Error(`step ${kind} failed:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(line) as StepResult;
}

async function createDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === "--step") {
    const result = await step(process.argv[3]!, process.argv.slice(4));
    console.log(JSON.stringify(result));
    return;
  }
  buildIfStale();
  const dir = mkdtempSync(path.join(tmpdir(), "lca-bench-"));
  try {
    console.log(`Generating ${ROWS.toLocaleString("en")} rows and a next-day snapshot with 2% changes…`);
    const generated = run("generate", dir);
    const day1 = path.join(dir, "day1.csv");
    const day2 = path.join(dir, "day2.csv");
    console.log(`  ${(statSync(day1).size / 1e6).toFixed(1)} MB CSV in ${(generated.ms / 1000).toFixed(1)} s (${generated.note})\n`);

    const embeddedDir = path.join(dir, "embedded");
    const step = (label: string, result: StepResult) => {
      console.log(`  ${label.padEnd(22)} ${(result.ms / 1000).toFixed(2).padStart(7)} s  ${result.maxRssMb.toFixed(0).padStart(5)} MB  ${result.note ?? ""}`);
      return result;
    };
    const embedded = {
      day1: step("embedded day 1", ingest(embeddedDir, day1, DAY1, dir)),
      day2: step("embedded day 2", ingest(embeddedDir, day2, DAY2, dir)),
      floor: step("embedded COPY", run("copy", path.join(dir, "copy-floor"), day1)),
    };
    // Named for this run: another bench on the same server cannot drop them mid-run.
    const pgUrl = await createDatabase(`lca_bench_ingest_${process.pid}`);
    const floorUrl = await createDatabase(`lca_bench_copy_${process.pid}`);
    const postgres = {
      day1: step("postgres day 1", ingest(pgUrl, day1, DAY1, dir)),
      day2: step("postgres day 2", ingest(pgUrl, day2, DAY2, dir)),
      floor: step("postgres COPY", run("copy", floorUrl, day1)),
    };

    // Issue 13's targets: ingest time ÷ COPY of the same rows, and the ingest's peak RSS.
    const lines = [
      { key: "embedded_day1", label: "embedded  day 1 (empty db)", r: embedded.day1, floor: embedded.floor, target: 8, rssTarget: 600 },
      { key: "embedded_day2", label: "embedded  day 2 (2% changed)", r: embedded.day2, floor: embedded.floor, target: 6, rssTarget: 600 },
      { key: "postgres_day1", label: "postgres  day 1 (empty db)", r: postgres.day1, floor: postgres.floor, target: 6, rssTarget: 250 },
      { key: "postgres_day2", label: "postgres  day 2 (2% changed)", r: postgres.day2, floor: postgres.floor, target: 4, rssTarget: 250 },
    ].map((l) => ({ ...l, ratio: l.r.ms / l.floor.ms }));
    const [load1] = loadavg();
    console.log(`\n  ${"step".padEnd(28)} ${"ingest".padStart(8)} ${"COPY".padStart(7)} ${"ratio".padStart(7)} ${"target".padStart(7)} ${"RSS".padStart(7)} ${"target".padStart(7)}  ${"outcome"}`);
    for (const l of lines) {
      const met = l.ratio <= l.target && l.r.maxRssMb <= l.rssTarget;
      console.log(
        `  ${l.label.padEnd(28)} ${(l.r.ms / 1000).toFixed(2).padStart(7)}s ${(l.floor.ms / 1000).toFixed(2).padStart(6)}s ${l.ratio.toFixed(1).padStart(6)}× ${`≤${l.target}×`.padStart(7)} ${l.r.maxRssMb.toFixed(0).padStart(4)} MB ${`≤${l.rssTarget}`.padStart(7)}  ${met ? "met" : "missed"}`,
      );
    }
    console.log(`  (${ROWS.toLocaleString("en")} rows, ${cpus().length} cores, load average ${load1!.toFixed(2)} at the end)`);
    // One line for scripts: key=ratio pairs, then the peak RSS of each step in MB.
    console.log(`ratio ${lines.map((l) => `${l.key}=${l.ratio.toFixed(2)}`).join(" ")} ${lines.map((l) => `${l.key}_rss_mb=${l.r.maxRssMb.toFixed(0)}`).join(" ")} load=${load1!.toFixed(2)}`);
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS lca_bench_ingest_${process.pid} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS lca_bench_copy_${process.pid} WITH (FORCE)`);
    await admin.end();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
