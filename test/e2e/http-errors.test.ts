import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationDeps } from "../../src/actions/context.js";
import { createPreviewChannel, PREVIEW_PATH } from "../../src/channels/preview/index.js";
import { loadConfig } from "../../src/config.js";
import { metricsRouter } from "../../src/metrics.js";
import { startHttpServer, type HttpServer } from "../../src/server/http.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { captureLog, expectNoSecrets } from "../support/log-capture.js";

/**
 * What the server answers before any handler owns a request, sent as raw bytes: short JSON
 * with the right status, never Express's HTML page with a stack trace.
 */
const TOKEN = "http-errors-preview-token-0123";
const captured = captureLog();
let db: TestDatabase;
let http: HttpServer;
let port: number;

beforeAll(async () => {
  db = await createTestDatabase("embedded");
  const config = loadConfig({ PREVIEW_TOKENS: `james.lee@partner.example:${TOKEN}` });
  const deps: ConversationDeps = { db, config, log: captured.log, now: () => new Date() };
  http = await startHttpServer({ port: 0, host: "127.0.0.1", log: captured.log, readiness: { checks: async () => ({ database: true }) }, started: () => true });
  http.mount(PREVIEW_PATH, createPreviewChannel({ config, deps, log: captured.log }).http.router);
  http.mount("/metrics", metricsRouter({ pool: db.pool, log: captured.log }));
  port = (http.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await http?.close();
  await db?.close();
  expectNoSecrets(captured.lines, [TOKEN], 5);
});

/** One raw request: the method, path and headers exactly as given. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: { ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), text }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe("error answers before authentication", () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  it.each([
    ["POST", "/metrics", {}, undefined, 405],
    ["DELETE", "/metrics", {}, undefined, 405],
    ["GET", "/metrics/extra", {}, undefined, 404],
    ["POST", "/healthz", {}, "{}", 405],
    ["GET", "/%E0%A4%A", {}, undefined, 404],
    ["GET", "/no/such/route", {}, undefined, 404],
    ["PATCH", "/", { "content-type": "application/json" }, "{bad json", 404],
    ["GET", "/preview", {}, undefined, 401],
    ["POST", "/preview/api/message", { "content-type": "application/json" }, "{bad json", 401],
    ["POST", "/preview/api/message", { ...auth, "content-type": "application/json" }, "{bad json", 400],
    ["POST", "/preview/api/message", { ...auth, "content-type": "application/json" }, JSON.stringify({ text: "x".repeat(100_000) }), 413],
    ["PUT", "/preview/api/action", auth, "x", 405],
    ["GET", "/preview/assets/%E0%A4%A", auth, undefined, 400],
  ] as const)("%s %s → %s", async (method, path, headers, body, status) => {
    const answer = await raw(method, path, { ...headers }, body);
    expect(answer.status).toBe(status);
    expect(answer.type).toMatch(/^application\/json/);
    expect(answer.text.length).toBeLessThan(300);
    expect(answer.text).not.toMatch(/<html|<pre>|\bat [\w.<>]+ \(|node_modules/i);
    expect(Object.keys(JSON.parse(answer.text) as object)).toContain("error");
  });
});
