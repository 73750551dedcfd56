import { spawn, type ChildProcess } from "node:child_process";
import { projectPath } from "../../src/paths.js";
import type { DeliveryCounts, DispatcherTuning, StopReport } from "../../src/delivery/dispatcher.js";

/** Starts and stops dispatching instances (delivery-worker.ts) as real processes. */

export interface WorkerReport {
  done: string;
  counts: DeliveryCounts;
  stop: StopReport;
  maxRssKb: number;
  /** CPU (user + system) used from the start of claiming to the stop. */
  cpuMs: number;
}

export interface Worker {
  name: string;
  child: ChildProcess;
  /** Everything it wrote to stderr (logs), for a failing test's message. */
  logs(): string;
  /** SIGKILL: no shutdown, no last words. */
  kill(): void;
  /** SIGTERM and wait for its report. */
  stop(timeoutMs?: number): Promise<WorkerReport | null>;
  exited: Promise<number | null>;
}

export interface WorkerOptions {
  databaseUrl: string;
  fakeChatUrl: string;
  name: string;
  tuning?: Partial<DispatcherTuning>;
  maxAttempts?: number;
  logLevel?: string;
}

const WORKER = projectPath("test", "support", "delivery-worker.ts");

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  // e.g. DELIVERY_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile each instance (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.DELIVERY_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", WORKER], {
    cwd: projectPath(),
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      FAKE_CHAT_URL: options.fakeChatUrl,
      INSTANCE: options.name,
      DELIVERY_TUNING: JSON.stringify(options.tuning ?? {}),
      OUTBOX_MAX_ATTEMPTS: String(options.maxAttempts ?? 8),
      LOG_LEVEL: options.logLevel ?? "warn",
      NO_PROXY: "127.0.0.1,localhost",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const lines: ((line: string) => void)[] = [];
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
    let i: number;
    while ((i = stdout.indexOf("\n")) >= 0) {
      const line = stdout.slice(0, i);
      stdout = stdout.slice(i + 1);
      lines.forEach((l) => l(line));
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  // "close", not "exit": the report line is read before the streams close.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const nextLine = (key: string, timeoutMs: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${options.name}: no "${key}" within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
      const listener = (line: string) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (key in parsed) {
            clearTimeout(timer);
            resolve(parsed);
          }
        } catch {
          stderr += `${line}\n`; // not a report line: keep it with the logs
        }
      };
      lines.push(listener);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`worker ${options.name} exited (${code}) before "${key}"\n${stderr}`));
      });
    });
  const ready = nextLine("ready", 30_000);
  await ready;
  return {
    name: options.name,
    child,
    logs: () => stderr,
    kill: () => {
      child.kill("SIGKILL");
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return null;
      const done = nextLine("done", timeoutMs);
      child.kill("SIGTERM");
      return (await done) as unknown as WorkerReport;
    },
    exited,
  };
}

/**
 * Dispatcher timings for fault tests: short leases, polls and backoffs so a crash, an outage
 * and the recovery all fit in seconds; each test names what it changes.
 */
export function faultTuning(overrides: Partial<DispatcherTuning> = {}): Partial<DispatcherTuning> {
  return {
    leaseMs: 4_000,
    sendTimeoutMs: 500,
    pollMs: 30,
    coalesceWindowMs: 0,
    horizonMs: 100,
    minIntervalMs: { slack: 0, webex: 0 },
    backoff: { baseMs: 100, factor: 2, maxMs: 1_000 },
    ...overrides,
  };
}
