import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MARKER } from "./delivery.js";

/**
 * A fake chat API on 127.0.0.1 that counts every message it receives: the fault tests and
 * the benchmark check what arrived against what was written to the outbox.
 *
 * POST /send     {channel, destination, text, instance}  → 200 {id, conversationId}
 * POST /replace  {channel, conversationId, externalId, text, instance} → 200 {id, conversationId}
 *
 * It can answer 429 (with Retry-After) and 5xx on demand (`fault`), and enforce a per-channel
 * rate limit like Slack's chat.postMessage (`rateLimit`: one message per `windowMs` per
 * destination, else 429). Retry-After is in whole seconds as HTTP says; `X-Retry-After-Ms`
 * carries the exact value, for limits scaled below a second.
 */

export interface Received {
  seq: number;
  op: "send" | "replace";
  channel: string;
  destination: string;
  /** The test marker in the message text (m:<marker>), if any. */
  marker: string | null;
  instance: string;
  /** HTTP status answered. */
  status: number;
  /** Why it was refused: "fault" (the scripted outage) or "rate" (over the rate limit). */
  refused?: "fault" | "rate";
  at: number;
}

export type Fault = { status: 429; retryAfterMs: number } | { status: 500 | 502 | 503 | 404 } | undefined;

export interface FakeChatOptions {
  /** One message per window per destination; faster ones get 429. */
  rateLimit?: { windowMs: number };
  /** Decides a refusal for a request (before the rate limit); undefined = accept. */
  fault?: (request: { channel: string; destination: string; marker: string | null; n: number }) => Fault;
  /** Delay before answering (ms), fixed or per request. */
  latencyMs?: number | (() => number);
  /** Called once the answer has been handed to the network (to kill the caller right then). */
  onAnswered?: (record: Received) => void;
}

export interface FakeChat {
  url: string;
  received: Received[];
  /** Accepted messages (2xx), in arrival order. */
  delivered(): Received[];
  /** How many times each marker was accepted. */
  deliveredCounts(): Map<string, number>;
  options: FakeChatOptions;
  close(): Promise<void>;
}

export async function startFakeChat(options: FakeChatOptions = {}): Promise<FakeChat> {
  const received: Received[] = [];
  const lastAccepted = new Map<string, number>();
  let n = 0;
  const state = { options };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: (error as Error).message }));
    });
  });
  server.keepAliveTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, string>;
    const op = req.url === "/replace" ? "replace" : "send";
    const destination = op === "replace" ? body.conversationId ?? "" : body.destination ?? "";
    const marker = MARKER.exec(body.text ?? "")?.[1] ?? null;
    const key = `${body.channel}:${destination}`;
    const at = performance.now();
    const record: Received = { seq: n, op, channel: body.channel ?? "", destination, marker, instance: body.instance ?? "", status: 200, at };
    const fault = state.options.fault?.({ channel: record.channel, destination, marker, n: n++ });
    const window = state.options.rateLimit?.windowMs;
    const last = lastAccepted.get(key);
    if (fault) {
      record.status = fault.status;
      record.refused = "fault";
      if (fault.status === 429) setRetryAfter(res, fault.retryAfterMs);
    } else if (window !== undefined && last !== undefined && at - last < window) {
      record.status = 429;
      record.refused = "rate";
      setRetryAfter(res, Math.ceil(window - (at - last)));
    } else {
      lastAccepted.set(key, at);
    }
    received.push(record);
    const latency = typeof state.options.latencyMs === "function" ? state.options.latencyMs() : (state.options.latencyMs ?? 0);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    res.statusCode = record.status;
    res.setHeader("Content-Type", "application/json");
    res.once("finish", () => state.options.onAnswered?.(record));
    res.end(JSON.stringify(record.status === 200 ? { id: `msg-${record.seq}`, conversationId: destination } : { error: record.refused === "rate" ? "ratelimited" : `status ${record.status}` }));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const delivered = () => received.filter((r) => r.status === 200);
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    delivered,
    deliveredCounts() {
      const counts = new Map<string, number>();
      for (const r of delivered()) if (r.marker !== null) counts.set(r.marker, (counts.get(r.marker) ?? 0) + 1);
      return counts;
    },
    get options() {
      return state.options;
    },
    set options(value: FakeChatOptions) {
      state.options = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function setRetryAfter(res: ServerResponse, ms: number): void {
  res.setHeader("Retry-After", String(Math.max(1, Math.ceil(ms / 1000))));
  res.setHeader("X-Retry-After-Ms", String(ms));
}
