import { createHmac, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { parseMultipart } from "./multipart.js";

/**
 * A fake Webex REST API (the "Hydra" API under /v1) on 127.0.0.1, for the e2e tests: just
 * enough of people, rooms, memberships, messages, attachment actions and webhooks for
 * webex-node-bot-framework and the Webex SDK in webhook mode. It records every call, can
 * fail the next calls on demand (429 with Retry-After, 5xx, 404...), and delivers webhook
 * events to the URLs registered with it, signed with their secret, as Webex does.
 */

export type IdKind = "PEOPLE" | "ROOM" | "MESSAGE" | "MEMBERSHIP" | "WEBHOOK" | "ATTACHMENT_ACTION" | "ORGANIZATION" | "APPLICATION";

/** A Hydra id: base64 of ciscospark://us/<KIND>/<uuid>, without padding, as Webex returns them. */
export function hydraId(kind: IdKind, uuid: string = randomUUID()): string {
  return Buffer.from(`ciscospark://us/${kind}/${uuid}`).toString("base64").replace(/=+$/, "");
}

/** X-Spark-Signature: HMAC-SHA1 of the raw body with the webhook's secret, hex. */
export function sparkSignature(secret: string, rawBody: string): string {
  return createHmac("sha1", secret).update(rawBody).digest("hex");
}

export interface RecordedCall {
  method: string;
  /** The path under /v1, e.g. "/messages" or "/people/me". */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** When it arrived (Date.now()), for pacing and Retry-After assertions. */
  at: number;
}

export interface FakePerson {
  id: string;
  emails: string[];
  displayName: string;
  nickName?: string;
  type: "person" | "bot";
  orgId: string;
  created: string;
}

export interface FakeRoom {
  id: string;
  title: string;
  type: "direct" | "group";
  isLocked: boolean;
  created: string;
  lastActivity: string;
  creatorId: string;
}

export interface FakeMembership {
  id: string;
  roomId: string;
  personId: string;
  personEmail: string;
  personDisplayName: string;
  isModerator: boolean;
  isMonitor: boolean;
  created: string;
}

export interface FakeMessage {
  id: string;
  roomId: string;
  roomType: "direct" | "group";
  parentId?: string;
  personId: string;
  personEmail: string;
  text?: string;
  markdown?: string;
  html?: string;
  mentionedPeople?: string[];
  attachments?: { contentType: string; content: unknown }[];
  /** Files posted with the message (multipart `files`): as Webex answers, their URLs; here also what arrived. */
  files?: string[];
  uploads?: FakeUpload[];
  created: string;
}

/** A file that came with a multipart POST /messages. */
export interface FakeUpload {
  name: string;
  contentType: string | undefined;
  size: number;
  bytes: Buffer;
}

/** The bot's membership of a space, created by `actorId` (the person who added it). */
export interface FakeJoin {
  membership: FakeMembership;
  actorId: string;
}

export interface FakeAttachmentAction {
  id: string;
  type: "submit";
  messageId: string;
  inputs: Record<string, unknown>;
  personId: string;
  roomId: string;
  created: string;
}

export interface FakeWebhook {
  id: string;
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter?: string;
  secret?: string;
  status: "active";
  created: string;
}

interface Failure {
  method: string;
  path: RegExp;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  times: number;
  /** Only requests whose body this accepts (a POST to one space, say). */
  match?: (body: Record<string, unknown>) => boolean;
}

const ORG_ID = hydraId("ORGANIZATION");
const APP_ID = hydraId("APPLICATION");
const now = () => new Date().toISOString();

export class FakeWebex {
  readonly calls: RecordedCall[] = [];
  readonly people = new Map<string, FakePerson>();
  readonly rooms = new Map<string, FakeRoom>();
  readonly memberships: FakeMembership[] = [];
  readonly messages = new Map<string, FakeMessage>();
  /** Messages deleted through the API, by id. */
  readonly deleted = new Map<string, FakeMessage>();
  /** Every message the bot posted, in the order posted (deleted ones too). */
  readonly posted: FakeMessage[] = [];
  readonly actions = new Map<string, FakeAttachmentAction>();
  readonly webhooks = new Map<string, FakeWebhook>();
  readonly bot: FakePerson;
  private readonly failures: Failure[] = [];
  private server: Server | undefined;
  /** http://127.0.0.1:<port>/v1 once started. */
  apiUrl = "";

  constructor(bot: { email: string; displayName: string } = { email: "lca@webex.bot", displayName: "LCA Bot" }) {
    this.bot = this.addPerson(bot.email, bot.displayName, "bot");
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.json({ limit: "1mb" }));
    // A message with a file is multipart form data: its text fields become the body, its files `uploads`.
    app.use(express.raw({ type: "multipart/form-data", limit: "100mb" }), (req, _res, next) => {
      if (!Buffer.isBuffer(req.body)) return next();
      const parts = parseMultipart(req.body, req.get("content-type"));
      const fields = Object.fromEntries(parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.data.toString("utf8")]));
      const uploads: FakeUpload[] = parts.filter((p) => p.filename !== undefined).map((p) => ({ name: p.filename!, contentType: p.contentType, size: p.data.length, bytes: p.data }));
      req.body = { ...fields, uploads };
      next();
    });
    app.use((req, res, next) => this.record(req, res, next));
    app.use((req, res, next) => this.injectFailure(req, res, next));
    const v1 = express.Router();
    this.routes(v1);
    app.use("/v1", v1);
    app.use((_req, res) => {
      res.status(404).json({ message: "The requested resource could not be found.", trackingId: "FAKE_404" });
    });
    this.server = createServer(app);
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.apiUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // -------------------------------------------------------------------------------------
  // Set-up helpers

  addPerson(email: string, displayName: string, type: "person" | "bot" = "person"): FakePerson {
    const person: FakePerson = { id: hydraId("PEOPLE"), emails: [email], displayName, nickName: displayName.split(" ")[0], type, orgId: ORG_ID, created: now() };
    this.people.set(person.id, person);
    return person;
  }

  personByEmail(email: string): FakePerson | undefined {
    return [...this.people.values()].find((p) => p.emails.some((e) => e.toLowerCase() === email.toLowerCase()));
  }

  /** The 1:1 space of the bot with a person, created on first use (as posting with toPersonEmail does). */
  directRoom(person: FakePerson): FakeRoom {
    const existing = [...this.rooms.values()].find(
      (r) => r.type === "direct" && this.memberships.some((m) => m.roomId === r.id && m.personId === person.id),
    );
    if (existing) return existing;
    return this.addRoom("direct", person.displayName, [person]);
  }

  /** A group space with the bot and these people. */
  groupRoom(title: string, members: FakePerson[]): FakeRoom {
    return this.addRoom("group", title, members);
  }

  private addRoom(type: "direct" | "group", title: string, members: FakePerson[]): FakeRoom {
    const room: FakeRoom = { id: hydraId("ROOM"), title, type, isLocked: false, created: now(), lastActivity: now(), creatorId: members[0]?.id ?? this.bot.id };
    this.rooms.set(room.id, room);
    for (const person of [this.bot, ...members]) {
      this.memberships.push({
        id: hydraId("MEMBERSHIP"),
        roomId: room.id,
        personId: person.id,
        personEmail: person.emails[0]!,
        personDisplayName: person.displayName,
        isModerator: false,
        isMonitor: false,
        created: now(),
      });
    }
    return room;
  }

  /** A webhook someone else registered on the bot's token (another integration): must survive our start. */
  addForeignWebhook(targetUrl: string, name = "someone else's integration"): FakeWebhook {
    const hook: FakeWebhook = { id: hydraId("WEBHOOK"), name, targetUrl, resource: "messages", event: "created", status: "active", created: now() };
    this.webhooks.set(hook.id, hook);
    return hook;
  }

  /** The next `times` calls matching method and path (under /v1) answer with this status. */
  failNext(method: string, path: RegExp, failure: { status: number; headers?: Record<string, string>; body?: unknown; times?: number; match?: (body: Record<string, unknown>) => boolean }): void {
    this.failures.push({
      method: method.toUpperCase(),
      path,
      status: failure.status,
      headers: failure.headers ?? {},
      body: failure.body ?? { message: `fake failure ${failure.status}`, trackingId: "FAKE_FAILURE" },
      times: failure.times ?? 1,
      match: failure.match,
    });
  }

  /** Forgets the recorded calls (between steps of a test). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Calls as "METHOD /path", for readable assertions. */
  callLines(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path}${Object.keys(c.query).length ? `?${new URLSearchParams(c.query).toString()}` : ""} → ${c.status}`);
  }

  /** Messages the bot posted (still present or deleted since), in the order posted; `since`: an index into `posted`. */
  botMessages(roomId?: string, since = 0): FakeMessage[] {
    return this.posted.slice(since).filter((m) => roomId === undefined || m.roomId === roomId);
  }

  // -------------------------------------------------------------------------------------
  // What people do in Webex: each returns the webhook event Webex would post.

  /** A person writes in a space; in a group space, `mention` puts an @mention of the bot first. */
  say(person: FakePerson, room: FakeRoom, text: string, options: { mention?: boolean; parentId?: string } = {}): FakeMessage {
    const mention = options.mention ?? false;
    const botName = this.bot.displayName;
    const message: FakeMessage = {
      id: hydraId("MESSAGE"),
      roomId: room.id,
      roomType: room.type,
      personId: person.id,
      personEmail: person.emails[0]!,
      text: mention ? `${botName} ${text}` : text,
      ...(mention
        ? { html: `<p><spark-mention data-object-type="person" data-object-id="${this.bot.id}">${botName}</spark-mention> ${escapeHtml(text)}</p>`, mentionedPeople: [this.bot.id] }
        : {}),
      ...(options.parentId ? { parentId: options.parentId } : {}),
      created: now(),
    };
    this.messages.set(message.id, message);
    return message;
  }

  /** A person presses an Action.Submit on a card the bot posted. */
  submit(person: FakePerson, message: FakeMessage, inputs: Record<string, unknown>): FakeAttachmentAction {
    const action: FakeAttachmentAction = { id: hydraId("ATTACHMENT_ACTION"), type: "submit", messageId: message.id, inputs, personId: person.id, roomId: message.roomId, created: now() };
    this.actions.set(action.id, action);
    return action;
  }

  /** `by` added the bot to `room` (made with directRoom or groupRoom, the bot a member): its membership, for `deliver`. */
  joined(by: FakePerson, room: FakeRoom): FakeJoin {
    const membership = this.memberships.find((m) => m.roomId === room.id && m.personId === this.bot.id);
    if (!membership) throw new Error(`the bot is not a member of ${room.title}`);
    return { membership, actorId: by.id };
  }

  /** The webhook event for a created message, attachment action or bot membership, as Webex posts it. */
  eventFor(item: FakeMessage | FakeAttachmentAction | FakeJoin): { hook: FakeWebhook; body: Record<string, unknown> } {
    if ("membership" in item) return this.membershipEvent(item);
    const isAction = "messageId" in item;
    const resource = isAction ? "attachmentActions" : "messages";
    // Webex posts to every matching webhook; the fake only to local ones (a test never reaches out).
    const local = (h: FakeWebhook) => /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(h.targetUrl);
    const hook = [...this.webhooks.values()].find((h) => local(h) && (h.resource === resource || (h.resource === "all" && !isAction && h.event === "all")));
    if (!hook) throw new Error(`no local webhook registered for ${resource}`);
    const data = isAction
      ? { id: item.id, type: item.type, messageId: item.messageId, personId: item.personId, roomId: item.roomId, created: item.created }
      : {
          id: item.id,
          roomId: item.roomId,
          roomType: item.roomType,
          personId: item.personId,
          personEmail: item.personEmail,
          ...(item.mentionedPeople ? { mentionedPeople: item.mentionedPeople } : {}),
          ...(item.parentId ? { parentId: item.parentId } : {}),
          created: item.created,
        };
    return {
      hook,
      body: {
        id: hook.id,
        name: hook.name,
        targetUrl: hook.targetUrl,
        resource,
        event: "created",
        orgId: ORG_ID,
        createdBy: this.bot.id,
        appId: APP_ID,
        ownedBy: "creator",
        status: "active",
        created: hook.created,
        actorId: item.personId,
        data,
      },
    };
  }

  private membershipEvent({ membership, actorId }: FakeJoin): { hook: FakeWebhook; body: Record<string, unknown> } {
    const hook = [...this.webhooks.values()].find((h) => /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(h.targetUrl) && h.resource === "all" && h.event === "all");
    if (!hook) throw new Error("no local webhook registered for memberships");
    const roomType = this.rooms.get(membership.roomId)?.type;
    const body = { id: hook.id, name: hook.name, targetUrl: hook.targetUrl, resource: "memberships", event: "created", orgId: ORG_ID, createdBy: this.bot.id, appId: APP_ID, ownedBy: "creator", status: "active", created: hook.created, actorId };
    return { hook, body: { ...body, data: { ...membership, roomType } } };
  }

  /**
   * Posts the event to the registered webhook's URL, signed with its secret. The body is
   * serialised the way Webex's Java services do (slashes escaped), so it differs byte for
   * byte from JSON.stringify of the parsed object: only a check of the raw body passes.
   */
  async deliver(item: FakeMessage | FakeAttachmentAction | FakeJoin, options: { signature?: string } = {}): Promise<Response | globalThis.Response> {
    const { hook, body } = this.eventFor(item);
    const raw = rawJson(body);
    const signature = options.signature ?? (hook.secret ? sparkSignature(hook.secret, raw) : undefined);
    return fetch(hook.targetUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(signature ? { "x-spark-signature": signature } : {}) },
      body: raw,
    });
  }

  // -------------------------------------------------------------------------------------
  // The API

  private record(req: Request, res: Response, next: NextFunction): void {
    const call: RecordedCall = {
      method: req.method,
      path: req.path.replace(/^\/v1/, "").replace(/\/$/, "") || "/",
      query: Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)])),
      body: req.body && Object.keys(req.body as object).length > 0 ? structuredClone(req.body) : undefined,
      status: 0,
      at: Date.now(),
    };
    this.calls.push(call);
    res.on("finish", () => {
      call.status = res.statusCode;
    });
    next();
  }

  private injectFailure(req: Request, res: Response, next: NextFunction): void {
    const path = req.path.replace(/^\/v1/, "");
    const failure = this.failures.find((f) => f.times > 0 && f.method === req.method && f.path.test(path) && (!f.match || f.match((req.body ?? {}) as Record<string, unknown>)));
    if (!failure) return next();
    failure.times -= 1;
    res.status(failure.status).set(failure.headers).json(failure.body);
  }

  private routes(r: express.Router): void {
    const notFound = (res: Response, what: string) => res.status(404).json({ message: `${what} not found`, trackingId: "FAKE_404" });

    r.get("/people/me", (_req, res) => {
      res.json(this.bot);
    });
    // The SDK's people batcher: GET people/?id=a,b&showAllTypes=false.
    r.get("/people", (req, res) => {
      const ids = typeof req.query.id === "string" ? req.query.id.split(",").filter(Boolean) : [];
      const email = typeof req.query.email === "string" ? req.query.email : undefined;
      if (email) return void res.json({ items: this.personByEmail(email) ? [this.personByEmail(email)] : [] });
      const items = ids.map((id) => this.people.get(id)).filter((p): p is FakePerson => !!p);
      const notFoundIds = ids.filter((id) => !this.people.has(id));
      res.json({ items, ...(notFoundIds.length ? { notFoundIds } : {}) });
    });
    r.get("/people/:id", (req, res) => {
      const person = this.people.get(req.params.id);
      if (!person) return void notFound(res, "person");
      res.json(person);
    });

    r.get("/rooms/:id", (req, res) => {
      const room = this.rooms.get(req.params.id);
      if (!room) return void notFound(res, "room");
      res.json(room);
    });

    r.get("/memberships", (req, res) => {
      const { roomId, personId } = req.query;
      const items = this.memberships.filter((m) => (roomId === undefined || m.roomId === roomId) && (personId === undefined || m.personId === personId));
      res.json({ items });
    });

    r.get("/memberships/:id", (req, res) => {
      const membership = this.memberships.find((m) => m.id === req.params.id);
      if (!membership) return void notFound(res, "membership");
      res.json(membership);
    });

    r.get("/messages/:id", (req, res) => {
      const message = this.messages.get(req.params.id);
      if (!message) return void notFound(res, "message");
      res.json(message);
    });
    r.delete("/messages/:id", (req, res) => {
      const message = this.messages.get(req.params.id);
      if (!message) return void notFound(res, "message");
      this.messages.delete(message.id);
      this.deleted.set(message.id, message);
      res.status(204).end();
    });
    r.post("/messages", (req, res) => {
      const body = req.body as Partial<FakeMessage> & { toPersonEmail?: string; toPersonId?: string };
      if (body.uploads && body.uploads.length > 1) return void res.status(400).json({ message: "At most one file per message", trackingId: "FAKE_400" });
      if (body.uploads?.some((u) => u.size === 0)) return void res.status(400).json({ message: "An empty file", trackingId: "FAKE_400" });
      let room: FakeRoom | undefined;
      if (body.roomId) {
        room = this.rooms.get(body.roomId);
        if (!room) return void notFound(res, "room");
        if (!this.memberships.some((m) => m.roomId === room!.id && m.personId === this.bot.id)) {
          return void res.status(403).json({ message: "The bot is not a member of this space", trackingId: "FAKE_403" });
        }
      } else if (body.toPersonEmail || body.toPersonId) {
        const person = body.toPersonEmail ? this.personByEmail(body.toPersonEmail) : this.people.get(body.toPersonId!);
        if (!person) return void notFound(res, "person");
        room = this.directRoom(person);
      } else {
        return void res.status(400).json({ message: "roomId, toPersonId or toPersonEmail is required", trackingId: "FAKE_400" });
      }
      if (body.parentId) {
        const parent = this.messages.get(body.parentId);
        if (!parent || parent.roomId !== room.id) return void res.status(400).json({ message: "Invalid parentId", trackingId: "FAKE_400" });
        if (parent.parentId) return void res.status(400).json({ message: "Cannot reply to a reply", trackingId: "FAKE_400" });
      }
      if (body.attachments && body.attachments.length > 1) return void res.status(400).json({ message: "At most one attachment", trackingId: "FAKE_400" });
      const message: FakeMessage = {
        id: hydraId("MESSAGE"),
        roomId: room.id,
        roomType: room.type,
        personId: this.bot.id,
        personEmail: this.bot.emails[0]!,
        ...(body.text ? { text: body.text } : {}),
        ...(body.markdown ? { markdown: body.markdown, text: body.markdown } : {}),
        ...(body.attachments ? { attachments: body.attachments } : {}),
        ...(body.parentId ? { parentId: body.parentId } : {}),
        ...(body.uploads?.length ? { uploads: body.uploads, files: body.uploads.map((u, i) => `${this.apiUrl}/contents/${hydraId("MESSAGE")}/${i}`) } : {}),
        created: now(),
      };
      this.messages.set(message.id, message);
      this.posted.push(message);
      res.json(message);
    });

    r.get("/attachment/actions/:id", (req, res) => {
      const action = this.actions.get(req.params.id);
      if (!action) return void notFound(res, "attachment action");
      res.json(action);
    });

    r.get("/webhooks", (_req, res) => {
      res.json({ items: [...this.webhooks.values()].map(({ secret: _secret, ...hook }) => hook) });
    });
    r.post("/webhooks", (req, res) => {
      const body = req.body as Partial<FakeWebhook>;
      if (!body.targetUrl || !body.name || !body.resource || !body.event) return void res.status(400).json({ message: "targetUrl, name, resource and event are required" });
      const hook: FakeWebhook = {
        id: hydraId("WEBHOOK"),
        name: body.name,
        targetUrl: body.targetUrl,
        resource: body.resource,
        event: body.event,
        ...(body.filter ? { filter: body.filter } : {}),
        ...(body.secret ? { secret: body.secret } : {}),
        status: "active",
        created: now(),
      };
      this.webhooks.set(hook.id, hook);
      const { secret: _secret, ...shown } = hook;
      res.json(shown);
    });
    r.delete("/webhooks/:id", (req, res) => {
      if (!this.webhooks.delete(req.params.id)) return void notFound(res, "webhook");
      res.status(204).end();
    });
  }
}

/** JSON as Webex's services write it: "/" escaped as "\/" (valid JSON, not JSON.stringify's bytes). */
export function rawJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, "\\/");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export async function startFakeWebex(): Promise<FakeWebex> {
  return new FakeWebex().start();
}
