import { Agent, request as httpRequest } from "node:http";
import type { ChannelPort, Destination, OutgoingMessage, SendOutcome } from "../../src/protocol/port.js";

/**
 * A test-only chat port that POSTs to the fake chat API (fake-chat.ts) and maps its answers
 * the way the Slack and Webex adapters do: 2xx sent, 429 retry after Retry-After, 5xx and
 * network errors retryable, 404/410 permanent.
 */
export class FakeChatPort implements ChannelPort {
  constructor(
    readonly channel: "webex" | "slack",
    private readonly baseUrl: string,
    private readonly instance: string,
  ) {}

  send(to: Destination, message: OutgoingMessage): Promise<SendOutcome> {
    const destination = to.kind === "room" ? to.address : `csm:${to.csmId}`;
    return this.post("/send", { channel: this.channel, destination, text: message.fallbackText, instance: this.instance });
  }

  replace(conversationId: string, externalId: string, message: OutgoingMessage): Promise<SendOutcome> {
    return this.post("/replace", { channel: this.channel, conversationId, externalId, text: message.fallbackText, instance: this.instance });
  }

  private async post(path: string, body: Record<string, string>): Promise<SendOutcome> {
    let res: { status: number; header: (name: string) => string | undefined; text: string };
    try {
      res = await request(`${this.baseUrl}${path}`, JSON.stringify(body));
    } catch (error) {
      return { ok: false, retryable: true, reason: `network: ${(error as Error).message}` };
    }
    const { text } = res;
    if (res.status >= 200 && res.status < 300) {
      const answer = JSON.parse(text) as { id: string; conversationId: string };
      return { ok: true, externalId: answer.id, conversationId: answer.conversationId };
    }
    if (res.status === 429) {
      const ms = Number(res.header("x-retry-after-ms") ?? Number(res.header("retry-after") ?? "1") * 1000);
      return { ok: false, retryable: true, retryAfterMs: ms, reason: `HTTP 429 ${text}` };
    }
    return { ok: false, retryable: res.status >= 500, reason: `HTTP ${res.status} ${text}` };
  }
}

/**
 * node:http with kept-alive connections rather than fetch: the benchmark measures the
 * dispatcher's CPU per message, and fetch's web streams cost more than a real chat client's
 * request (the Slack and Webex SDKs use node:http too).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function request(url: string, body: string): Promise<{ status: number; header: (name: string) => string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", agent, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const value = (name: string) => {
          const v = res.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        resolve({ status: res.statusCode ?? 0, header: value, text: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}
