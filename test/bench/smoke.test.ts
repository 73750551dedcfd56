import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { projectPath } from "../../src/paths.js";

/**
 * The benchmarks still run and still end with the line scripts read: tiny counts, no timing
 * asserted (the figures mean nothing at this size; `npm run bench:*` gives them).
 */
const run = promisify(execFile);
const bench = (file: string, env: Record<string, string>) =>
  run(process.execPath, ["--import", "tsx", projectPath("bench", file)], { cwd: projectPath(), env: { ...process.env, ...env, NO_PROXY: "127.0.0.1,localhost" }, timeout: 120_000 });

describe("benchmark smoke runs", () => {
  it("bench:delivery delivers every message with one and two instances and prints its ratio line", async () => {
    const { stdout } = await bench("delivery.ts", { ALERTS: "40", CSMS: "4", SPACES: "2", WINDOW_MS: "50", INSTANCES: "1,2" });
    expect(stdout).not.toContain("messages arrived for");
    expect(stdout).toMatch(/^ratio 1=\d+\.\d\d 2=\d+\.\d\d$/m);
  }, 150_000);

  it("bench:ack answers every click of both servers and prints its ratio line", async () => {
    const { stdout } = await bench("ack.ts", { CLICKS: "20", WARMUP: "5", CLICKS_PER_S: "20" });
    expect(stdout).toContain("answered 200: ours 20, floor 20; refused or failed 0");
    expect(stdout).toMatch(/^ratio p99=\d+\.\d\d p50=\d+\.\d\d$/m);
  }, 150_000);
});
