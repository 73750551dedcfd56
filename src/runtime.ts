import v8 from "node:v8";
import type { DatabaseConfig } from "./config.js";

/**
 * V8 settings for a CLI process, set before any WebAssembly is compiled. Measured with
 * `npm run bench:ingest` (200,000 rows) and an idle `npm start`; figures in README ("Memory").
 * - Heap growing factor 1.5: V8's own is adaptive up to 4, and an ingest allocates fast
 *   while keeping little (its live heap stays under 128 MB), so old space grew to 200+ MB,
 *   mostly garbage. A soft target, not a limit: a bigger live heap still fits (no
 *   out-of-memory risk, unlike --max-old-space-size), at some 5% more CPU in the ingest.
 * - On PostgreSQL, WebAssembly compiled by Liftoff only: the one module is Prisma's query
 *   compiler, whose optimising (TurboFan) compile peaks at ~50 MB of malloc that stays RSS,
 *   for no measurable speed. Not on the embedded database: PGlite runs in WebAssembly, and
 *   without TurboFan the ingest takes some 25% more CPU.
 */
export function tuneV8(database: DatabaseConfig): void {
  v8.setFlagsFromString("--heap-growing-percent=50");
  if (database.kind === "postgres") v8.setFlagsFromString("--liftoff-only");
}
