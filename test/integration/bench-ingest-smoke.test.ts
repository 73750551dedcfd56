import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { projectPath } from "../../src/paths.js";

/**
 * bench:ingest on a few hundred rows: every step runs, and the output keeps its shape (one
 * table with the COPY floor beside each figure and the ratio, and the closing `ratio …` line
 * scripts read). The figures themselves mean nothing at this size.
 */
describe("bench:ingest smoke run", () => {
  it("prints the table and the ratio line for both databases", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", projectPath("bench", "ingest.ts")], {
      cwd: projectPath(),
      env: { ...process.env, ROWS: "300" },
      encoding: "utf8",
      timeout: 240_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/step\s+ingest\s+COPY\s+ratio\s+target\s+RSS\s+target\s+outcome/);
    for (const label of ["embedded  day 1", "embedded  day 2", "postgres  day 1", "postgres  day 2"]) {
      expect(result.stdout).toMatch(new RegExp(`${label}.*\\d+\\.\\d+s\\s+\\d+\\.\\d+s\\s+\\d+\\.\\d×`));
    }
    expect(result.stdout).toMatch(/^ratio embedded_day1=\d+\.\d+ embedded_day2=\d+\.\d+ postgres_day1=\d+\.\d+ postgres_day2=\d+\.\d+ .*load=/m);
  }, 300_000);
});
