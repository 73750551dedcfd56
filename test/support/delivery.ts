import type pg from "pg";
import type { DispatcherTuning } from "../../src/delivery/dispatcher.js";
import type { AnyCard } from "../../src/protocol/effects.js";
import type { RenderContext } from "../../src/cards/render.js";
import type { AlertView } from "../../src/protocol/views.js";
import type { ChannelPort, Destination, OutgoingMessage, SendOutcome } from "../../src/protocol/port.js";
import { loadConfig, type Config } from "../../src/config.js";
import type { AlertKind } from "../../src/domain/recommendations.js";

/** Settings for delivery tests: the embedded defaults plus the admins and the attempts asked for. */
export function deliveryConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: "memory://", DEMO: "0", ADMINS: "admin@partner.example", OUTBOX_MAX_ATTEMPTS: "3", ...overrides });
}

export interface Portfolio {
  csmIds: number[];
  adminId: number;
  ucdIds: number[];
}

/**
 * A minimal portfolio written with set-based SQL (fast enough for the benchmark's 10,000):
 * `csms` CSMs (csm1@… with Slack and Webex ids, the first `ruCsms` of them in Russian) plus one
 * admin, and `useCases` use-case deployments spread over them.
 */
export async function seedPortfolio(pool: pg.Pool, options: { csms: number; useCases: number; ruCsms?: number }): Promise<Portfolio> {
  const { rows: csms } = await pool.query<{ id: number }>(
    `INSERT INTO csm (email, name, locale)
     SELECT 'csm' || i || '@partner.example', 'CSM ' || i, CASE WHEN i <= $2 THEN 'ru' END
     FROM generate_series(1, $1) AS i ORDER BY i
     RETURNING id`,
    [options.csms, options.ruCsms ?? 0],
  );
  const { rows: [admin] } = await pool.query<{ id: number }>(`INSERT INTO csm (email, name) VALUES ('admin@partner.example', 'Ada Admin') RETURNING id`);
  // csmN is U00000N on Slack and P00000N on Webex, the admin UADMIN and PADMIN.
  const suffixes = [...csms.map((_, i) => String(i + 1).padStart(6, "0")), "ADMIN"];
  await pool.query(
    `INSERT INTO chat_identity (csm_id, chat, user_id, verified)
     SELECT c.id, chat.name::"ChatChannel", chat.prefix || c.suffix, true
     FROM unnest($1::int[], $2::text[]) AS c(id, suffix) CROSS JOIN (VALUES ('slack', 'U'), ('webex', 'P')) AS chat(name, prefix)`,
    [[...csms.map((c) => c.id), admin!.id], suffixes],
  );
  await pool.query(
    `INSERT INTO use_case (architecture, solution_domain, name, cpi_available)
     SELECT 'Networking', 'Campus Network', 'Use case ' || i, false FROM generate_series(1, 10) AS i`,
  );
  await pool.query(`INSERT INTO customer (cr_party_id, name, updated_at) SELECT (100000000 + i)::text, 'Customer ' || i, now() FROM generate_series(1, $1) AS i`, [
    Math.max(1, Math.ceil(options.useCases / 5)),
  ]);
  const csmIds = csms.map((c) => c.id);
  await pool.query(
    `INSERT INTO deployment (deployment_id, customer_id, assigned_csm_id, updated_at)
     SELECT 'DEP' || lpad(i::text, 6, '0'), (SELECT min(id) FROM customer) + (i - 1) / 5, ($2::int[])[1 + (i - 1) % cardinality($2::int[])], now()
     FROM generate_series(1, $1) AS i`,
    [options.useCases, csmIds],
  );
  const { rows: ucds } = await pool.query<{ id: number }>(
    `INSERT INTO use_case_deployment (deployment_id, use_case_id, stage, stage_entered_on, added_on, first_seen_on, tags)
     SELECT d.id, (SELECT min(id) FROM use_case) + (d.id % 10), 'implement', DATE '2026-01-05', DATE '2025-12-01', DATE '2026-01-05', ARRAY['Enterprise']
     FROM deployment d ORDER BY d.id
     RETURNING id`,
  );
  return { csmIds, adminId: admin!.id, ucdIds: ucds.map((u) => u.id).sort((a, b) => a - b) };
}

const FACTS: Record<AlertKind, object> = {
  stalled: { kind: "stalled", stage: "implement", stageEnteredOn: "2026-01-05", daysInStage: 60, threshold: 45 },
  regression: { kind: "regression", fromStage: "use", toStage: "implement", observedOn: "2026-03-01" },
  new_use_case: { kind: "new_use_case", firstSeenOn: "2026-01-05", stage: "implement" },
  bounced_contact: { kind: "bounced_contact", source: "cisco", slot: 0, email: "it@customer.example", barrier: "hard_bounce" },
  missing_contact: { kind: "missing_contact", barredContacts: 1 },
};

/** Opens an alert of `kind` on a use-case deployment; returns its id. */
export async function addAlert(pool: pg.Pool, ucdId: number, kind: AlertKind, subject = `${kind}:${ucdId}`): Promise<number> {
  const { rows: [row] } = await pool.query<{ id: number }>(
    `INSERT INTO alert (kind, subject, use_case_deployment_id, facts, opened_on) VALUES ($1, $2, $3, $4, DATE '2026-03-02') RETURNING id`,
    [kind, subject, ucdId, JSON.stringify(FACTS[kind])],
  );
  return row!.id;
}

/** One alert per use case (kind `stalled`), many at once. */
export async function addAlerts(pool: pg.Pool, ucdIds: readonly number[], kind: AlertKind = "stalled"): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO alert (kind, subject, use_case_deployment_id, facts, opened_on)
     SELECT $1::"AlertKind", $1 || ':' || u, u, $3::jsonb, DATE '2026-03-02' FROM unnest($2::int[]) WITH ORDINALITY AS t(u, k) ORDER BY k
     RETURNING id`,
    [kind, ucdIds, JSON.stringify(FACTS[kind])],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

export interface OutboxInput {
  /** null: a person's row for every chat, fanned out by the dispatcher. */
  channel: "webex" | "slack" | "preview" | null;
  destination: string;
  kind?: string;
  alertId?: number | null;
  csmId?: number | null;
  payload?: unknown;
  /** Defaults to now() (the transaction's time). */
  createdAt?: Date;
}

let dedupe = 0;

/** Writes outbox rows in the order given (ascending ids) in one statement; returns their ids. */
export async function enqueue(pool: Pick<pg.Pool, "query">, rows: readonly OutboxInput[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const { rows: ids } = await pool.query<{ id: number }>(
    `INSERT INTO outbox_message (channel, destination, csm_id, alert_id, kind, payload, dedupe_key, created_at)
     SELECT channel, destination, csm_id, alert_id, kind, payload, dedupe, COALESCE(created_at, now())
     FROM unnest($1::"ChatChannel"[], $2::text[], $3::int[], $4::int[], $5::text[], $6::jsonb[], $7::text[], $8::timestamp[]) WITH ORDINALITY
       AS t(channel, destination, csm_id, alert_id, kind, payload, dedupe, created_at, k)
     ORDER BY k
     RETURNING id`,
    [
      rows.map((r) => r.channel),
      rows.map((r) => r.destination),
      rows.map((r) => r.csmId ?? csmOf(r.destination)),
      rows.map((r) => r.alertId ?? null),
      rows.map((r) => r.kind ?? (r.alertId ? "alert" : "notice")),
      rows.map((r) => JSON.stringify(r.payload ?? (r.alertId ? { alertId: r.alertId, notice: 0 } : { card: "notice", view: { tone: "info", text: { text: "hello" } } }))),
      rows.map(() => `test:${process.pid}:${Date.now()}:${dedupe++}`),
      rows.map((r) => (r.createdAt ? localTimestamp(r.createdAt) : null)),
    ],
  );
  return ids.map((r) => r.id).sort((a, b) => a - b);
}

/** A notice carrying a marker the fake chat API reads back ("m:<n>"). */
export const markerNotice = (marker: number | string) => ({ card: "notice", view: { tone: "info", text: { text: `delivery test m:${marker}` } } });

export const MARKER = /m:([\w-]+)/;

function csmOf(destination: string): number | null {
  const m = /^csm:(\d+)$/.exec(destination);
  return m ? Number(m[1]) : null;
}

/** created_at is a timestamp without zone written by now() in the session's zone: match it. */
function localTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

export interface OutboxState {
  id: number;
  status: string;
  attempts: number;
  last_error: string | null;
  external_id: string | null;
  conversation_id: string | null;
  next_attempt_at: Date;
  destination: string;
  kind: string;
}

export async function outboxRows(pool: pg.Pool, where = "true", params: unknown[] = []): Promise<OutboxState[]> {
  const { rows } = await pool.query<OutboxState>(
    `SELECT id, status::text AS status, attempts, last_error, external_id, conversation_id, next_attempt_at, destination, kind FROM outbox_message WHERE ${where} ORDER BY id`,
    params,
  );
  return rows;
}

// ---------------------------------------------------------------------------------------
// An in-process chat port that records what it was asked to send.

export interface Recorded {
  op: "send" | "replace";
  channel: "webex" | "slack";
  to: Destination | null;
  conversationId: string | null;
  replacedId: string | null;
  message: OutgoingMessage;
  /** Read from the test renderer's fallback text. */
  tag: MessageTag;
  externalId: string;
  at: number;
}

export type Script = (call: { op: "send" | "replace"; to: Destination | null; tag: MessageTag; n: number }) => SendOutcome | undefined | Promise<SendOutcome | undefined>;

export class RecordingPort implements ChannelPort {
  readonly calls: Recorded[] = [];
  /** Every call, including those the script failed. */
  attempts = 0;
  private seq = 0;

  constructor(
    readonly channel: "webex" | "slack",
    /** Decides a call's outcome; undefined = success. */
    public script: Script = () => undefined,
    private readonly latencyMs = 0,
  ) {}

  get delivered(): Recorded[] {
    return this.calls;
  }

  async send(to: Destination, message: OutgoingMessage): Promise<SendOutcome> {
    return this.call("send", to, null, null, message);
  }

  async replace(conversationId: string, externalId: string, message: OutgoingMessage): Promise<SendOutcome> {
    return this.call("replace", null, conversationId, externalId, message);
  }

  private async call(op: "send" | "replace", to: Destination | null, conversationId: string | null, replacedId: string | null, message: OutgoingMessage): Promise<SendOutcome> {
    const n = this.attempts++;
    const tag = readTag(message);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const scripted = await this.script({ op, to, tag, n });
    if (scripted && !scripted.ok) return scripted;
    const externalId = `${this.channel}-msg-${++this.seq}`;
    const conversation = conversationId ?? (to?.kind === "room" ? to.address : `dm-${to?.kind === "csm" ? to.csmId : "?"}`);
    this.calls.push({ op, channel: this.channel, to, conversationId: conversation, replacedId, message, tag, externalId, at: Date.now() });
    return { ok: true, externalId, conversationId: conversation };
  }
}

export interface MessageTag {
  card: string;
  alertId?: number;
  reminder?: number;
  locale: string;
  timeZone: string;
  text?: string;
  /** A summary card's alerts, in its order. */
  alertIds?: number[];
}

/** A renderer for tests: the card's name and the facts a test checks, as JSON in the fallback text. */
export function tagRenderer(card: AnyCard, ctx: RenderContext): OutgoingMessage {
  const view = card.view as Partial<AlertView> & { text?: { text?: string }; items?: AlertView[] };
  const tag: MessageTag = {
    card: card.card,
    locale: ctx.locale,
    timeZone: ctx.timeZone,
    ...(view.alertId !== undefined ? { alertId: view.alertId, reminder: view.reminder ?? 0 } : {}),
    ...(view.text && "text" in view.text ? { text: view.text.text } : {}),
    ...(card.card === "summary" && view.items ? { alertIds: view.items.map((i) => i.alertId) } : {}),
  };
  return { card: { type: "AdaptiveCard", version: "1.3", body: [] }, fallbackText: JSON.stringify(tag) };
}

function readTag(message: OutgoingMessage): MessageTag {
  try {
    return JSON.parse(message.fallbackText) as MessageTag;
  } catch {
    // The real renderer: no tag, only the text.
    return { card: "?", locale: "?", timeZone: "?", text: message.fallbackText };
  }
}

/** Polls `condition` until it holds; a query that fails (database away) counts as "not yet". */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "a condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.resolve()
      .then(condition)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** How many of these outbox rows are not sent yet. */
export async function unsent(pool: pg.Pool, ids: readonly number[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_message WHERE id = ANY($1::bigint[]) AND status <> 'sent'`, [ids]);
  return rows[0]!.n;
}

/** Fast settings for dispatcher tests: no pacing or coalescing wait unless a test asks for it. */
export const FAST_TUNING: Partial<DispatcherTuning> = {
  leaseMs: 5_000,
  sendTimeoutMs: 1_000,
  pollMs: 20,
  coalesceWindowMs: 0,
  minIntervalMs: { slack: 0, webex: 0 },
  replaceIntervalMs: { slack: 0, webex: 0 },
  horizonMs: 200,
};
