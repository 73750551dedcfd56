import v8 from "node:v8";
import type { DatabaseConfig } from "./config.js";

/**
 * V8 settings for a CLI process, set before any WebAssembly is compiled. Measured with
 * `npm run bench:ingest` (200,000 rows) and an idle `npm start`; figures in README ("Memory").
 * - Heap growing factor 1.5: V8's own is adaptive up to 4, and an ingest allocates fast
 *   while keeping little (its live heap stays under 128 MB), so old space grew to 200+ MB,
 *   mostly garbage. A soft target, not a limit: a bigger live heap still fits (no
 *   out-of-memory risk, unlike --max-old-space-size), at some 5% more CPU in the ingest.
 * - WebAssembly compiled by Liftoff only, for the long-running service and wherever the
 *   database is PostgreSQL: the optimising (TurboFan) compile of PGlite's and Prisma's
 *   modules peaks at 50-90 MB of malloc that stays RSS for the life of the process. Not for
 *   a one-off command on the embedded database (`ingest`, `demo`…): there PGlite's work is
 *   the command, and without TurboFan a 200,000-row ingest takes some 25% more CPU. The
 *   service pays that on its daily refresh, once a day, and keeps the memory all day.
 */
export function tuneV8(command: string, database: DatabaseConfig): void {
  v8.setFlagsFromString("--heap-growing-percent=50");
  if (command === "start" || database.kind === "postgres") v8.setFlagsFromString("--liftoff-only");
}
