import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { parseMultipart } from "./multipart.js";

/**
 * A fake Slack Web API on 127.0.0.1 that records every call, plus `response_url` endpoints.
 * Answers like Slack: HTTP 200 with `{ ok, error }`, or a 429 with Retry-After when told to.
 */

export interface FakeUser {
  id: string;
  email: string | null;
  locale?: string;
  name?: string;
}

export interface RecordedCall {
  method: string;
  /** The arguments as sent; JSON-encoded fields (blocks, view) decoded. */
  args: Record<string, unknown>;
  /** Milliseconds since the fake started. */
  at: number;
  status: number;
}

export interface RecordedResponse {
  key: string;
  body: Record<string, unknown>;
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: unknown;
  blocks: unknown;
  /** The ts of the message whose thread this reply is in. */
  thread_ts?: string;
}

export interface FakeSlackFile {
  id: string;
  filename: string;
  /** As declared to files.getUploadURLExternal. */
  length: number;
  /** As posted to the upload URL (undefined until then). */
  bytes?: Buffer;
  /** Set by files.completeUploadExternal. */
  channel?: string;
  initialComment?: string;
  title?: string;
}

type Fault = { status: 429; retryAfter: number } | { error: string } | { delayMs: number };

export interface FakeSlack {
  /** e.g. http://127.0.0.1:PORT/api/ (SLACK_API_URL) */
  apiUrl: string;
  url: string;
  calls: RecordedCall[];
  responses: RecordedResponse[];
  messages: Map<string, StoredMessage>;
  users: Map<string, FakeUser>;
  /** Channels the bot is not a member of (conversations.info). */
  outsiders: Set<string>;
  /** Each user's App Home as last published (views.publish), by user id. */
  homes: Map<string, { id: string; blocks: unknown[] }>;
  /** Files uploaded the files.uploadV2 way: URL asked for, bytes posted, upload completed into a channel. */
  files: FakeSlackFile[];
  /** A response_url the fake records posts to. */
  responseUrl(key: string): string;
  /** The next `times` calls of `method` fail (or are delayed) as told. */
  fail(method: string, fault: Fault, times?: number): void;
  callsOf(method: string): RecordedCall[];
  /** Polls until `find` returns a value, or throws after `timeoutMs` saying what it waited for. */
  waitFor<T>(what: string, find: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const BOT = { user_id: "UBOT", bot_id: "BBOT", team_id: "T0PARTNER", team: "Partner Example", user: "lca" };

export async function startFakeSlack(): Promise<FakeSlack> {
  const started = Date.now();
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const messages = new Map<string, StoredMessage>();
  const users = new Map<string, FakeUser>();
  const faults = new Map<string, { fault: Fault; times: number }[]>();
  const outsiders = new Set<string>();
  const homes = new Map<string, { id: string; blocks: unknown[] }>();
  const files: FakeSlackFile[] = [];
  let seq = 0;
  let baseUrl = "";
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, "0")}`;

  const decode = (body: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(body).map(([k, v]) => {
        if (typeof v === "string" && /^[[{]/.test(v)) {
          try {
            return [k, JSON.parse(v) as unknown];
          } catch {
            return [k, v];
          }
        }
        return [k, v];
      }),
    );

  type Handler = (args: Record<string, unknown>) => Record<string, unknown>;
  const methods: Record<string, Handler> = {
    "auth.test": () => ({ ok: true, url: "https://partner.slack.example/", ...BOT }),
    "users.info": (args) => {
      const user = users.get(String(args.user));
      if (!user) return { ok: false, error: "user_not_found" };
      return {
        ok: true,
        user: { id: user.id, name: user.name ?? user.id, deleted: false, is_bot: false, ...(args.include_locale === "true" && user.locale ? { locale: user.locale } : {}), profile: { email: user.email ?? undefined, real_name: user.name } },
      };
    },
    "users.lookupByEmail": (args) => {
      const user = [...users.values()].find((u) => u.email?.toLowerCase() === String(args.email).toLowerCase());
      return user ? { ok: true, user: { id: user.id, profile: { email: user.email } } } : { ok: false, error: "users_not_found" };
    },
    "conversations.open": (args) => {
      const user = String(args.users ?? "");
      return user ? { ok: true, channel: { id: `D${user}` } } : { ok: false, error: "invalid_arguments" };
    },
    "chat.postMessage": (args) => {
      const channel = String(args.channel ?? "");
      if (!channel) return { ok: false, error: "channel_not_found" };
      const thread = args.thread_ts === undefined ? undefined : String(args.thread_ts);
      if (thread !== undefined && !messages.has(`${channel}/${thread}`)) return { ok: false, error: "thread_not_found" };
      const ts = nextTs();
      messages.set(`${channel}/${ts}`, { channel, ts, text: args.text, blocks: args.blocks, ...(thread ? { thread_ts: thread } : {}) });
      return { ok: true, channel, ts, message: { ts, text: args.text, blocks: args.blocks } };
    },
    // Seen only by `user`; in a thread when `thread_ts` names a message of the channel.
    "chat.postEphemeral": (args) => {
      const channel = String(args.channel ?? "");
      if (!channel) return { ok: false, error: "channel_not_found" };
      if (!args.user) return { ok: false, error: "user_not_in_channel" };
      if (args.thread_ts !== undefined && !messages.has(`${channel}/${String(args.thread_ts)}`)) return { ok: false, error: "thread_not_found" };
      return { ok: true, message_ts: nextTs() };
    },
    "conversations.info": (args) => {
      const id = String(args.channel ?? "");
      if (!id.startsWith("C") && !id.startsWith("G")) return { ok: false, error: "channel_not_found" };
      return { ok: true, channel: { id, is_channel: true, is_archived: false, is_member: !outsiders.has(id) } };
    },
    "chat.update": (args) => {
      const key = `${String(args.channel)}/${String(args.ts)}`;
      const message = messages.get(key);
      if (!message) return { ok: false, error: "message_not_found" };
      message.text = args.text;
      message.blocks = args.blocks;
      return { ok: true, channel: message.channel, ts: message.ts, text: args.text };
    },
    "views.publish": (args) => {
      const userId = String(args.user_id ?? "");
      const view = args.view as { type?: string; blocks?: unknown[] } | undefined;
      if (!users.has(userId)) return { ok: false, error: "user_not_found" };
      if (view?.type !== "home" || !Array.isArray(view.blocks)) return { ok: false, error: "invalid_arguments" };
      if (view.blocks.length > 100) return { ok: false, error: "invalid_blocks" };
      const id = homes.get(userId)?.id ?? `VH${++seq}`;
      homes.set(userId, { id, blocks: view.blocks });
      return { ok: true, view: { id, type: "home", blocks: view.blocks } };
    },
    "files.getUploadURLExternal": (args) => {
      const length = Number(args.length);
      if (!args.filename || !Number.isInteger(length) || length <= 0) return { ok: false, error: "invalid_arguments" };
      const id = `F${++seq}`;
      files.push({ id, filename: String(args.filename), length });
      return { ok: true, file_id: id, upload_url: `${baseUrl}/upload/${id}` };
    },
    "files.completeUploadExternal": (args) => {
      const listed = Array.isArray(args.files) ? (args.files as { id?: string; title?: string }[]) : [];
      const found = listed.map((f) => files.find((x) => x.id === f.id));
      // Slack refuses to complete a file whose bytes never arrived.
      if (listed.length === 0 || found.some((f) => !f?.bytes)) return { ok: false, error: "file_upload_not_found" };
      found.forEach((f, i) => Object.assign(f!, { channel: args.channel_id === undefined ? undefined : String(args.channel_id), initialComment: args.initial_comment === undefined ? undefined : String(args.initial_comment), title: listed[i]!.title }));
      return { ok: true, files: found.map((f) => ({ id: f!.id, name: f!.filename, title: f!.title })) };
    },
    "views.open": (args) => {
      if (!args.trigger_id) return { ok: false, error: "invalid_trigger_id" };
      return { ok: true, view: { id: `V${++seq}`, ...(args.view as object) } };
    },
  };

  const app = express();
  app.use(express.urlencoded({ extended: false }), express.json());
  app.post("/api/:method", async (req, res) => {
    const method = String(req.params.method);
    const args = decode((req.body ?? {}) as Record<string, unknown>);
    const queued = faults.get(method);
    const fault = queued?.[0];
    if (fault && queued) {
      if (--fault.times <= 0) queued.shift();
      if ("delayMs" in fault.fault) await new Promise((resolve) => setTimeout(resolve, (fault.fault as { delayMs: number }).delayMs));
    }
    const at = Date.now() - started;
    if (fault && "status" in fault.fault) {
      calls.push({ method, args, at, status: 429 });
      res.status(429).set("Retry-After", String(fault.fault.retryAfter)).json({ ok: false, error: "ratelimited" });
      return;
    }
    calls.push({ method, args, at, status: 200 });
    if (fault && "error" in fault.fault) {
      res.json({ ok: false, error: fault.fault.error });
      return;
    }
    const handler = methods[method];
    res.json(handler ? handler(args) : { ok: false, error: "unknown_method" });
  });
  // The upload URL files.getUploadURLExternal hands out: the bytes, as a multipart part.
  app.post("/upload/:id", express.raw({ type: () => true, limit: "20mb" }), (req, res) => {
    const file = files.find((f) => f.id === req.params.id);
    const part = parseMultipart(req.body as Buffer, req.get("content-type")).find((p) => p.filename !== undefined);
    calls.push({ method: "upload", args: { id: req.params.id, bytes: part?.data.length ?? 0 }, at: Date.now() - started, status: file && part ? 200 : 404 });
    if (!file || !part) return void res.status(404).send("no such upload");
    file.bytes = part.data;
    res.type("text/plain").send(`OK - ${part.data.length}`);
  });
  app.post("/respond/:key", (req, res) => {
    responses.push({ key: String(req.params.key), body: (req.body ?? {}) as Record<string, unknown>, at: Date.now() - started });
    res.type("text/plain").send("ok");
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  baseUrl = url;

  return {
    apiUrl: `${url}/api/`,
    url,
    calls,
    responses,
    messages,
    users,
    outsiders,
    homes,
    files,
    responseUrl: (key) => `${url}/respond/${encodeURIComponent(key)}`,
    fail(method, fault, times = 1) {
      faults.set(method, [...(faults.get(method) ?? []), { fault, times }]);
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    async waitFor(what, find, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found !== undefined && found !== false && found !== null) return found;
        if (Date.now() > deadline) throw new Error(`fake Slack: timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Signed requests, as Slack sends them

export interface SignedPost {
  status: number;
  text: string;
  ms: number;
}

/** `v0=` + HMAC-SHA256(secret, `v0:{ts}:{raw body}`). */
export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

/** Posts a raw body to Bolt as Slack does; `timestamp` and `signature` can be forged. */
export async function postSigned(url: string, secret: string, rawBody: string, options: { contentType?: string; timestamp?: number; signature?: string } = {}): Promise<SignedPost> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = Date.now();
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": options.contentType ?? "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": options.signature ?? slackSignature(secret, timestamp, rawBody),
    },
    body: rawBody,
  });
  return { status: response.status, text: await response.text(), ms: Date.now() - started };
}

/** A slash command's form body. */
export function commandBody(fields: { command: string; text: string; userId: string; channelId: string; responseUrl: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: "verification-token-unused",
    team_id: BOT.team_id,
    team_domain: "partner",
    channel_id: fields.channelId,
    channel_name: "directmessage",
    user_id: fields.userId,
    user_name: fields.userId.toLowerCase(),
    command: fields.command,
    text: fields.text,
    api_app_id: "A0LCA",
    is_enterprise_install: "false",
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? `trigger-${Date.now()}`,
  }).toString();
}

/** An interaction's form body: `payload=<json>`. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export const FAKE_TEAM = { id: BOT.team_id, domain: "partner" };

/** A button press on a bot message, as Slack posts it (a block_actions payload). */
export function buttonPress(press: {
  userId: string;
  message: Pick<StoredMessage, "ts" | "channel" | "text" | "blocks">;
  button: { action_id: string; value?: string; text: unknown };
  triggerId: string;
  responseUrl: string;
}): Record<string, unknown> {
  const { userId, message, button } = press;
  return {
    type: "block_actions",
    user: { id: userId, username: userId.toLowerCase(), team_id: FAKE_TEAM.id },
    api_app_id: "A0LCA",
    token: "unused",
    container: { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    trigger_id: press.triggerId,
    team: FAKE_TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: message.channel, name: message.channel.startsWith("D") ? "directmessage" : "team" },
    message: { type: "message", user: "UBOT", bot_id: "BBOT", ts: message.ts, text: message.text, blocks: message.blocks },
    state: { values: {} },
    response_url: press.responseUrl,
    actions: [{ type: "button", action_id: button.action_id, block_id: "b0", text: button.text, value: button.value, action_ts: `${Date.now() / 1000}` }],
  };
}

/** An Events API delivery (`event_callback`) of one event, as Slack posts it: JSON, with the bot's authorization. */
export function eventBody(event: Record<string, unknown>, eventId: string): string {
  return JSON.stringify({
    token: "unused",
    team_id: BOT.team_id,
    api_app_id: "A0LCA",
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: BOT.team_id, user_id: BOT.user_id, is_bot: true, is_enterprise_install: false }],
    event: { event_ts: event.ts, ...event },
  });
}

/** The bot's own user id, as auth.test returns it: what a mention of the bot names (`<@UBOT>`). */
export const FAKE_BOT_USER_ID = BOT.user_id;
