import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePortfolio } from "../../src/demo/portfolio.js";
import { writeSnapshot } from "../../src/demo/write-snapshot.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { CLI, runCli } from "../support/cli.js";

/**
 * `lca-bot ingest` draws its progress (phase, rows read, rows/s) on stderr for a person at a
 * terminal, and prints nothing but its result when its output is not a terminal or --json.
 */
let db: TestDatabase;
let env: Record<string, string>;
const dir = mkdtempSync(path.join(tmpdir(), "lca-cli-progress-"));
const file = path.join(dir, "export.csv");

beforeAll(async () => {
  db = await createTestDatabase("postgres");
  env = { DATABASE_URL: db.url!, PARTNER_NAME: "Acme Networks", PARTNER_DOMAINS: "partner.example", LOG_LEVEL: "warn" };
  const portfolio = generatePortfolio({ seed: 3, customers: 400, asOf: "2026-11-20", csmEmails: ["anna.petrova@partner.example"], partnerDomain: "partner.example" });
  expect(portfolio.rows.length).toBeGreaterThan(1000);
  await writeSnapshot(portfolio.rows, file);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("lca-bot ingest progress", () => {
  it("prints nothing extra when stdout and stderr are not a terminal", async () => {
    const result = await runCli(["ingest", file, "--as-of", "2026-11-20"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^Applied export\.csv as of 2026-11-20/);
    expect(result.stdout).not.toContain("\r");
  });

  it("prints one JSON object and nothing else with --json", async () => {
    const result = await runCli(["ingest", file, "--as-of", "2026-11-21", "--json"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toMatchObject({ rowsRead: expect.any(Number), asOf: "2026-11-21" });
  });

  it("shows the phase, rows read and rows/s on a terminal", () => {
    // script(1) runs the CLI on a pseudo-terminal: stdout and stderr are both a TTY there.
    const command = [process.execPath, CLI, "ingest", file, "--as-of", "2026-11-22"].map((a) => `'${a}'`).join(" ");
    const result = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/reading: 1,000 rows, [\d,]+ rows\/s/);
    expect(result.stdout).toMatch(/merging: [\d,]+ rows/);
    expect(result.stdout).toMatch(/alerts: [\d,]+ rows/);
    expect(result.stdout).toContain("Applied export.csv as of 2026-11-22");
  });
});
