import { Writable } from "node:stream";
import { expect } from "vitest";
import { createLogger, type Logger } from "../../src/log.js";

/**
 * A logger for the e2e tests that keeps every line it writes (at `trace` unless told
 * otherwise, so every code path's lines are there), for `expectNoSecrets` at the end of the
 * file. With TEST_LOG_LEVEL set the lines are printed too.
 */
export interface CapturedLog {
  log: Logger;
  lines: string[];
}

export function captureLog(level = "trace"): CapturedLog {
  const lines: string[] = [];
  const echo = process.env.TEST_LOG_LEVEL !== undefined;
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = String(chunk);
      lines.push(...text.split("\n").filter(Boolean));
      if (echo) process.stdout.write(text);
      done();
    },
  });
  return { log: createLogger(level, sink), lines };
}

/** Each configured secret that occurs in the text: as is, URL-encoded, JSON-escaped or base64 (basic auth). */
export function leakedSecrets(text: string, secrets: readonly string[]): { secret: string; at: string }[] {
  const found: { secret: string; at: string }[] = [];
  for (const secret of new Set(secrets)) {
    const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString("base64")]);
    for (const form of forms) {
      const i = text.indexOf(form);
      if (i >= 0) found.push({ secret, at: text.slice(Math.max(0, i - 120), i + form.length + 40) });
    }
  }
  return found;
}

/**
 * No line contains any secret; and enough was logged for that to mean something (a test
 * whose logger wrote nothing would pass for the wrong reason).
 */
export function expectNoSecrets(lines: readonly string[] | string, secrets: readonly string[], atLeast = 10): void {
  const text = typeof lines === "string" ? lines : lines.join("\n");
  const count = typeof lines === "string" ? lines.split("\n").filter(Boolean).length : lines.length;
  expect(count, "log lines captured").toBeGreaterThanOrEqual(atLeast);
  expect(secrets.length, "secrets to look for").toBeGreaterThan(0);
  expect(leakedSecrets(text, secrets), "configured secrets found in the log").toEqual([]);
}
