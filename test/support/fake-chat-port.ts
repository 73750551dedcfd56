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
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    } catch (error) {
      return { ok: false, retryable: true, reason: `network: ${(error as Error).message}` };
    }
    const text = await res.text();
    if (res.ok) {
      const answer = JSON.parse(text) as { id: string; conversationId: string };
      return { ok: true, externalId: answer.id, conversationId: answer.conversationId };
    }
    if (res.status === 429) {
      const ms = Number(res.headers.get("x-retry-after-ms") ?? Number(res.headers.get("retry-after") ?? "1") * 1000);
      return { ok: false, retryable: true, retryAfterMs: ms, reason: `HTTP 429 ${text}` };
    }
    return { ok: false, retryable: res.status >= 500, reason: `HTTP ${res.status} ${text}` };
  }
}
