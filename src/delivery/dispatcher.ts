import { setMaxListeners } from "node:events";
import type pg from "pg";
import type { ChannelPort, Destination, OutgoingMessage, SendOutcome } from "../protocol/port.js";
import type { Config } from "../config.js";
import type { ChatName } from "../protocol/chats.js";
import type { PrismaClient } from "../db/database.js";
import { inPartnerDomains } from "../domain/contacts.js";
import { inTransaction } from "../db/sql.js";
import type { Logger } from "../log.js";
import { rateLimited, retries, sends, skippedResolved, takeover } from "../metrics.js";
import { enqueueAdminNotices, isDeliveryFailedNotice } from "./admin-notices.js";
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { Gate, sleep } from "./gate.js";
import { createPlanner, type Plan } from "./plan.js";
import { renderMessage, type MessageRenderer } from "./renderer.js";
import {
  claim,
  fanOut,
  fenceSend,
  markFinal,
  markPreviewSent,
  markRefreshed,
  markRetry,
  markSent,
  release,
  renewLeases,
  supersedeInFavourOf,
  supersedeRows,
  type ClaimedRow,
  type SendChannel,
} from "./store.js";

/**
 * The outbox dispatcher: sends the rows the alert engine and the actions wrote, through the
 * chat ports, on any number of instances sharing one PostgreSQL.
 *
 * Guarantees (each instance, each crash):
 * - At least once: a row leaves `pending`/`failed` only as `sent`, `superseded` or `dead`,
 *   each written after the fact; a crashed instance's leased rows are taken again when the
 *   lease expires.
 * - At most one repeat per crash: the only window in which a crash repeats a message is
 *   between the chat API's answer and the commit of `sent`. The gate lets `maxInFlight`
 *   (default 1) rows through that window at a time, so a kill -9 repeats at most that many.
 *   Rendering, waiting for rate limits and claiming run concurrently outside it.
 * - Order per destination: only a destination's head row (lowest id not sent, dead or
 *   superseded) is ever claimed, so row N+1 is never sent while row N is unsent and alive.
 */

export interface DispatcherTuning {
  /**
   * How long a claim holds a row without renewal: a crashed instance's rows are taken again
   * this long after its last heartbeat. Short, because a live instance renews it.
   */
  leaseMs: number;
  /** How often the leases of every held row are renewed, a row in a slow chat call too. At most leaseMs / 4. */
  heartbeatMs: number;
  /** A chat call that has not answered in this long counts as a retryable failure. */
  sendTimeoutMs: number;
  /** How often to look for new rows when idle. */
  pollMs: number;
  /** Most rows held (claimed, rendering, waiting for their rate limit or the gate) at once. */
  claimBatch: number;
  /**
   * Claim only what the gate is expected to pass within this long (measured): with a slow
   * chat API an instance takes a few rows, not a batch that other instances could be sending.
   */
  claimAheadMs: number;
  /** Rows between "call the chat API" and "commit the outcome" at once: the duplicates a crash can cause. */
  maxInFlight: number;
  /** Rows being prepared (read, rendered) at once; the soonest due first. */
  prepareConcurrency: number;
  /** Alert rows about one use case to one destination written this close together become one card; alert rows wait this long before they are sent. */
  coalesceWindowMs: number;
  /** Minimum gap between two messages to one destination (Slack: about 1 per second per channel). */
  minIntervalMs: Record<SendChannel, number>;
  /** Minimum gap between two card replacements on one chat, per instance (Slack chat.update is tier 3, about 50 a minute). */
  replaceIntervalMs: Record<SendChannel, number>;
  /** Claim rows that become due within this long, and wait for them locally (precise pacing). */
  horizonMs: number;
  /** Fewest milliseconds between two claims while busy (fewer, larger claims). */
  claimGapMs: number;
  backoff: BackoffPolicy;
  /** A retryable failure is retried at least this long after the row was written (then maxAttempts decides). */
  retryWindowMs: number;
}

export const DEFAULT_TUNING: DispatcherTuning = {
  leaseMs: 5_000,
  heartbeatMs: 1_000,
  sendTimeoutMs: 20_000,
  pollMs: 250,
  claimBatch: 256,
  claimAheadMs: 1_000,
  maxInFlight: 1,
  prepareConcurrency: 4,
  coalesceWindowMs: 3_000,
  minIntervalMs: { slack: 1_000, webex: 0 },
  replaceIntervalMs: { slack: 1_200, webex: 0 },
  horizonMs: 1_000,
  claimGapMs: 50,
  backoff: DEFAULT_BACKOFF,
  retryWindowMs: 6 * 3_600_000,
};

export interface DispatcherDeps {
  pool: pg.Pool;
  prisma: PrismaClient;
  config: Pick<Config, "partner" | "alerts" | "lcaPortalUrl" | "delivery">;
  ports: readonly ChannelPort[];
  log: Logger;
  /** Card → message in the reader's language; defaults to the Adaptive Card templates. */
  render?: MessageRenderer;
  tuning?: Partial<DispatcherTuning>;
  /** Chats that admin notices go to; default: those with a port here, else the preview. */
  noticeChannels?: readonly ChatName[];
  /** Chats a person's row written for every chat becomes one row each on; default: those with a port here. */
  fanOutTo?: readonly ChatName[];
  now?: () => Date;
}

export type DeliveryOutcome = "sent" | "superseded" | "retry" | "rate_limited" | "dead" | "released";

export type DeliveryCounts = Record<DeliveryOutcome | "preview", number>;

export interface StopReport {
  /** Rows given back untouched. */
  released: number;
  /** Rows still between the chat API and the commit when the timeout struck (their lease expires). */
  abandoned: number;
  timedOut: boolean;
}

export interface Dispatcher {
  /** Starts the claim loop (idempotent). */
  start(): void;
  /** Stops claiming, finishes what is inside the chat call, gives back the rest; resolves within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<StopReport>;
  /** Sends everything due now (and what becomes due while doing so, within the horizon), then resolves. Not while started. */
  drainOnce(): Promise<DeliveryCounts>;
  /** New rows were written: look now instead of at the next poll. */
  wake(): void;
  /** Outcomes since creation. */
  readonly counts: DeliveryCounts;
}

interface Held {
  row: ClaimedRow;
  /** performance.now() by which the lease surely still holds (renewed by the heartbeat). */
  leaseEnd: number;
  /** Statements using the row's token are running: the heartbeat leaves the row alone meanwhile. */
  writing: number;
  /** The heartbeat is renewing this row's token: writes wait for it. */
  renewing: Promise<void> | undefined;
  /** performance.now() at which the row may be sent (rate limit, Retry-After, coalescing window). */
  readyAt: number;
  done: Promise<void>;
}

const zeroCounts = (): DeliveryCounts => ({ sent: 0, superseded: 0, retry: 0, rate_limited: 0, dead: 0, released: 0, preview: 0 });

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const tuning: DispatcherTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  tuning.heartbeatMs = Math.min(tuning.heartbeatMs, tuning.leaseMs / 4);
  const { pool, log } = deps;
  const maxAttempts = deps.config.delivery.maxAttempts;
  const ports = new Map<SendChannel, ChannelPort>(deps.ports.map((p) => [p.channel, p]));
  const channels = [...ports.keys()];
  const noticeChannels = deps.noticeChannels ?? (channels.length > 0 ? channels : (["preview"] as const));
  const fanOutTo = deps.fanOutTo ?? channels;
  const partnerDomains = deps.config.partner.domains;
  const plan = createPlanner({ pool, prisma: deps.prisma, config: deps.config, render: deps.render ?? renderMessage, now: deps.now ?? (() => new Date()) });
  const gate = new Gate(tuning.maxInFlight);
  const preparing = new Gate(tuning.prepareConcurrency);
  const held = new Map<number, Held>();
  const counts = zeroCounts();
  const nextReplaceAt = new Map<SendChannel, number>();
  const lastReplaceAt = new Map<SendChannel, number>();

  let started = false;
  let draining = false;
  let stopping = false;
  let stopSignal = abortController();
  let loop: Promise<void> | undefined;
  let nudge: (() => void) | undefined;
  let lastClaim = 0;
  let lastPreview = -Infinity;
  let heartbeat: NodeJS.Timeout | undefined;
  let beating = false;
  /** Moving average of the time one row spends inside the gate (chat call + commit). */
  let gateMs = 5;

  const count = (outcome: DeliveryOutcome, channel: string, n = 1) => {
    counts[outcome] += n;
    sends.inc({ channel, outcome }, n);
  };

  async function claimRound(force = false): Promise<number> {
    if (force || performance.now() - lastPreview >= tuning.pollMs) {
      lastPreview = performance.now();
      await fanOut(pool, fanOutTo);
      const previews = await markPreviewSent(pool);
      if (previews > 0) {
        counts.preview += previews;
        sends.inc({ channel: "preview", outcome: "sent" }, previews);
      }
    }
    const budget = Math.min(tuning.claimBatch, Math.max(8, Math.ceil(tuning.claimAheadMs / gateMs)));
    const free = budget - held.size;
    if (free <= 0 || channels.length === 0) return 0;
    const claimedAt = performance.now();
    lastClaim = claimedAt;
    const rows = await claim(pool, {
      channels,
      limit: free,
      leaseMs: tuning.leaseMs,
      horizonMs: tuning.horizonMs,
      coalesceWindowMs: tuning.coalesceWindowMs,
      minIntervalMs: tuning.minIntervalMs,
    });
    for (const row of rows) {
      if (row.takenOverAfterMs !== null) {
        takeover.observe(row.takenOverAfterMs / 1000);
        log.info({ outboxId: row.id, destination: row.destination, takenOverAfterMs: row.takenOverAfterMs }, "delivery: took over a message whose holder stopped renewing its lease");
      }
      hold(row, claimedAt + tuning.leaseMs);
    }
    return rows.length;
  }

  function hold(row: ClaimedRow, leaseEnd: number): void {
    const entry: Held = { row, leaseEnd, writing: 0, renewing: undefined, readyAt: performance.now() + row.waitMs, done: Promise.resolve() };
    held.set(row.id, entry);
    ensureHeartbeat();
    entry.done = handle(entry)
      .catch((error: unknown) => log.error({ err: error, outboxId: row.id }, "delivery: unexpected failure handling an outbox row; its lease will expire and it will be retried"))
      .finally(() => {
        held.delete(row.id);
        nudge?.();
      });
  }

  /**
   * One row, from claimed to recorded. It is prepared (freshness, coalescing, rendering) as
   * soon as it is claimed, then waits for its moment: the render time is not added to every
   * gap between two messages to a rate-limited channel. A row is claimed at most `horizonMs`
   * before its moment, so what it shows is that fresh.
   */
  async function handle(entry: Held): Promise<void> {
    const row = entry.row;
    if (stopping) return giveBack(entry);

    let decided: Plan;
    try {
      decided = await preparing.run(() => plan(row));
    } catch (error) {
      // A database error while reading the alert, or a card that does not render: retried,
      // and dead after maxAttempts like any other failure.
      log.warn({ err: error, outboxId: row.id }, "delivery: cannot prepare the message");
      return recordFailure(entry, { ok: false, retryable: true, reason: `prepare: ${(error as Error).message}` });
    }

    if (decided.kind === "send" || decided.kind === "replace" || decided.kind === "publishHome") {
      await sleep(entry.readyAt - performance.now(), stopSignal.signal);
      if (stopping) return giveBack(entry);
    }

    switch (decided.kind) {
      case "supersede":
        if (await persist(entry, () => markFinal(pool, row, "superseded", decided.reason))) count("superseded", row.channel);
        return;
      case "dead":
        log.warn({ outboxId: row.id, reason: decided.reason }, "delivery: message cannot be sent, marked dead");
        if (await persist(entry, () => markFinal(pool, row, "dead", decided.reason))) count("dead", row.channel);
        return;
      case "coalesce": {
        const leasedAt = performance.now();
        const chosen = await persist(entry, () => supersedeInFavourOf(pool, row, decided.into, tuning.leaseMs));
        if (!chosen) return;
        count("superseded", row.channel);
        const carrier = row.siblings.find((s) => s.id === decided.into)!;
        const next: ClaimedRow = {
          ...row,
          id: carrier.id,
          kind: carrier.kind,
          alertId: carrier.alertId,
          payload: carrier.payload,
          token: chosen.token,
          attempts: chosen.attempts,
          waitMs: Math.max(0, entry.readyAt - performance.now()),
          previous: { status: "pending", nextAttemptAt: "now" },
          alert: { status: carrier.alertStatus, kind: carrier.alertKind, useCaseDeploymentId: row.alert!.useCaseDeploymentId },
          siblings: row.siblings.filter((s) => s.id !== carrier.id),
        };
        // The carrier takes the group's place: it is not a head, so nothing else can hold it.
        held.delete(row.id);
        const carrierEntry: Held = { row: next, leaseEnd: leasedAt + tuning.leaseMs, writing: 0, renewing: undefined, readyAt: entry.readyAt, done: entry.done };
        held.set(next.id, carrierEntry);
        try {
          return await handle(carrierEntry);
        } finally {
          held.delete(next.id);
        }
      }
      case "send":
        for (const group of decided.supersede) {
          // Best effort: if this fails, the sibling is sent on its own later (a second card, nothing lost).
          const n = await supersedeRows(pool, group.ids, group.reason).catch((error: unknown) => {
            log.warn({ err: error, outboxId: row.id, ids: group.ids }, "delivery: cannot mark coalesced rows superseded");
            return 0;
          });
          if (n > 0) count("superseded", row.channel, n);
        }
        return gate.run(() => deliver(entry, decided.to, (port) => port.send(decided.to, decided.message)), row.priority);
      case "publishHome": {
        const { to, message } = decided;
        const noHome = { ok: false, retryable: false, reason: `${row.channel} has no Home page to publish` } as const;
        return gate.run(() => deliver(entry, to, (port) => port.publishHome?.(to, message) ?? Promise.resolve(noHome)), row.priority);
      }
      case "replace": {
        await waitForReplaceSlot(row.channel, row.priority > 0);
        if (stopping) return giveBack(entry);
        const { to, conversationId, externalId, originalId, message } = decided;
        return gate.run(() => deliver(entry, to, (port) => port.replace(conversationId, externalId, message), originalId), row.priority);
      }
    }
  }

  /** Inside the gate: call the chat API and commit what it answered. */
  async function deliver(entry: Held, to: Destination, call: (port: ChannelPort) => Promise<SendOutcome>, refreshOf?: number | null): Promise<void> {
    const row = entry.row;
    if (stopping) return giveBack(entry);
    // The last step before a person hears anything: whatever path wrote the row, nobody
    // outside the partner's email domains gets customer data (TEAM_SPACES are trusted as configured).
    if (to.kind === "csm" && !inPartnerDomains(to.email, partnerDomains)) {
      const reason = `not sent: ${to.email} is outside the partner's email domains (PARTNER_DOMAINS)`;
      log.warn({ outboxId: row.id, csmId: to.csmId }, "delivery: recipient outside the partner, marked dead");
      if (await persist(entry, () => markFinal(pool, row, "dead", reason))) count("dead", row.channel);
      return;
    }
    // An alert card is fenced and re-checked in one statement right before the call: the lease
    // is still ours, and an alert resolved while this waited for its slot is not sent. Other
    // rows only need the lease, which the heartbeat keeps fresh.
    const needsFence = (row.kind === "alert" || row.kind === "reminder") && row.alertId !== null;
    const leaseFresh = entry.leaseEnd - performance.now() > tuning.leaseMs / 2;
    const fenced = !needsFence && leaseFresh ? { token: row.token, resolved: false } : await fence(entry);
    if (!fenced) return;
    row.token = fenced.token;
    if (fenced.resolved) {
      skippedResolved.inc({ channel: row.channel });
      if (await persist(entry, () => markFinal(pool, row, "superseded", "alert resolved before sending (last check)"))) count("superseded", row.channel);
      return;
    }
    const port = ports.get(row.channel)!;
    const entered = performance.now();
    try {
      const outcome = await withTimeout(call(port), tuning.sendTimeoutMs);
      if (!outcome.ok) return await recordFailure(entry, outcome);
      const sent = { externalId: outcome.externalId, conversationId: outcome.conversationId };
      const recorded = await persist(entry, () => (refreshOf === undefined ? markSent(pool, row, sent) : markRefreshed(pool, row, sent, refreshOf)));
      if (recorded) count("sent", row.channel);
    } finally {
      gateMs = gateMs * 0.8 + (performance.now() - entered) * 0.2;
    }
  }

  async function recordFailure(entry: Held, outcome: Extract<SendOutcome, { ok: false }>): Promise<void> {
    const row = entry.row;
    const fields = { outboxId: row.id, channel: row.channel, destination: row.destination, attempts: row.attempts, reason: outcome.reason };
    if (outcome.retryAfterMs !== undefined) {
      rateLimited.inc({ channel: row.channel });
      retries.inc({ channel: row.channel });
      log.info({ ...fields, retryAfterMs: outcome.retryAfterMs }, "delivery: rate limited, waiting as asked");
      if (await persist(entry, () => markRetry(pool, row, `429: ${outcome.reason} (retry after ${outcome.retryAfterMs} ms)`, outcome.retryAfterMs!, false))) {
        count("rate_limited", row.channel);
      }
      return;
    }
    // A retryable failure gives up only after maxAttempts AND the retry window: a chat that
    // is down for an hour loses nothing (issue: "nothing is lost if Webex is down for an hour").
    const withinWindow = (deps.now?.() ?? new Date()).getTime() - row.createdAt.getTime() < tuning.retryWindowMs;
    if (outcome.retryable && (row.attempts < maxAttempts || withinWindow)) {
      const delay = backoffDelayMs(row.attempts, tuning.backoff);
      retries.inc({ channel: row.channel });
      log.warn({ ...fields, retryInMs: delay }, "delivery: send failed, will retry");
      if (await persist(entry, () => markRetry(pool, row, outcome.reason, delay, true))) count("retry", row.channel);
      return;
    }
    const reason = outcome.retryable ? `gave up after ${row.attempts} attempts: ${outcome.reason}` : outcome.reason;
    log.error(fields, outcome.retryable ? "delivery: giving up, message is dead" : "delivery: permanent failure, message is dead");
    // Admins hear about destinations they can fix, not about a notice to themselves failing or
    // a card someone deleted before its refresh, or a Home page nobody asked to be told about.
    const notify = row.kind !== "refresh" && row.kind !== "home" && !(row.kind === "notice" && isDeliveryFailedNotice(row.payload));
    const recorded = await persist(entry, () =>
      inTransaction(pool, async (client) => {
        const ok = await markFinal(client, row, "dead", reason);
        if (ok && notify) {
          await enqueueAdminNotices(client, { channel: row.channel, destination: row.destination, reason, outboxId: row.id }, { adminEmails: deps.config.partner.admins, channels: noticeChannels });
        }
        return ok;
      }),
    );
    if (recorded) count("dead", row.channel);
  }

  /** The fence renews the lease too: the entry's lease end moves with it. */
  async function fence(entry: Held): Promise<{ token: string; resolved: boolean } | null> {
    const started = performance.now();
    return withToken(entry, async () => {
      const fenced = await fenceSend(pool, entry.row, tuning.leaseMs);
      if (fenced) entry.leaseEnd = started + tuning.leaseMs;
      return fenced;
    }).catch((error: unknown) => {
      log.warn({ err: error, outboxId: entry.row.id }, "delivery: cannot fence a send; leaving the row to be retried");
      return null;
    });
  }

  /**
   * Runs a statement that uses the row's token: after any renewal in progress, and with the
   * heartbeat kept off the row until it is done, so the token it fences with is current.
   */
  async function withToken<T>(entry: Held, statement: () => Promise<T>): Promise<T> {
    while (entry.renewing) await entry.renewing;
    entry.writing++;
    try {
      return await statement();
    } finally {
      entry.writing--;
    }
  }

  function ensureHeartbeat(): void {
    if (heartbeat) return;
    heartbeat = setInterval(() => void beat(), tuning.heartbeatMs);
    heartbeat.unref();
  }

  /** Renews every held row's lease in one statement; a row that is gone from the answer was taken over. */
  async function beat(): Promise<void> {
    if (held.size === 0) {
      clearInterval(heartbeat);
      heartbeat = undefined;
      return;
    }
    if (beating) return;
    beating = true;
    const entries = [...held.values()].filter((e) => e.writing === 0 && !e.renewing);
    let finish = () => undefined as void;
    const renewing = new Promise<void>((resolve) => (finish = resolve));
    for (const e of entries) e.renewing = renewing;
    const started = performance.now();
    try {
      const tokens = await renewLeases(pool, entries.map((e) => e.row), tuning.leaseMs);
      for (const e of entries) {
        const token = tokens.get(e.row.id);
        if (token) {
          e.row.token = token;
          e.leaseEnd = started + tuning.leaseMs;
        }
      }
    } catch (error) {
      log.warn({ err: error, rows: entries.length }, "delivery: cannot renew leases; trying again at the next heartbeat");
    } finally {
      for (const e of entries) e.renewing = undefined;
      finish();
      beating = false;
    }
  }

  /**
   * Writes an outcome, retrying through a database outage while our lease holds: a write
   * lost after the chat answered would mean sending the message again. false: the lease
   * was lost (another instance holds the row), or the database stayed away.
   */
  async function persist<T>(entry: Held, write: () => Promise<T>): Promise<T | false> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await withToken(entry, write);
        if (result === false || result === null) log.warn({ outboxId: entry.row.id }, "delivery: lease lost before the outcome was written; another instance holds the row");
        return result ?? false;
      } catch (error) {
        const left = entry.leaseEnd - performance.now();
        if (left < 200) {
          log.error({ err: error, outboxId: entry.row.id }, "delivery: cannot write the outcome before the lease ends; the row will be taken again");
          return false;
        }
        log.warn({ err: error, outboxId: entry.row.id, attempt }, "delivery: database error writing an outcome, retrying");
        await sleep(Math.min(left / 2, 50 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  async function giveBack(entry: Held): Promise<void> {
    const done = await withToken(entry, () => release(pool, entry.row)).catch((error: unknown) => {
      log.warn({ err: error, outboxId: entry.row.id }, "delivery: cannot release a row; its lease will expire");
      return false;
    });
    if (done) count("released", entry.row.channel);
  }

  /**
   * Replacements on one chat are spaced `replaceIntervalMs` apart. The card a person just
   * clicked waits only for the gap after the last replacement made, not behind every one
   * already booked (a short burst Slack's tier allows).
   */
  async function waitForReplaceSlot(channel: SendChannel, urgent: boolean): Promise<void> {
    const gap = tuning.replaceIntervalMs[channel] ?? 0;
    if (gap <= 0) return;
    const now = performance.now();
    let at: number;
    if (urgent) at = Math.max(now, (lastReplaceAt.get(channel) ?? -Infinity) + gap);
    else {
      at = Math.max(now, nextReplaceAt.get(channel) ?? 0);
      nextReplaceAt.set(channel, at + gap);
    }
    await sleep(at - now, stopSignal.signal);
    lastReplaceAt.set(channel, performance.now());
  }

  /** Waits `ms`, or less if woken (a row finished, wake()), but never claims more often than claimGapMs. */
  async function idle(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        nudge = undefined;
        stopSignal.signal.removeEventListener("abort", finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      nudge = finish;
      stopSignal.signal.addEventListener("abort", finish, { once: true });
    });
    const gap = tuning.claimGapMs - (performance.now() - lastClaim);
    if (gap > 0 && !stopping) await sleep(gap, stopSignal.signal);
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let claimed = 0;
      try {
        claimed = await claimRound();
        if (failures > 0) log.info({ after: failures }, "delivery: database reachable again, claiming");
        failures = 0;
      } catch (error) {
        failures++;
        const wait = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
        log.warn({ err: error, failures, retryInMs: wait }, "delivery: cannot claim outbox rows");
        await sleep(wait, stopSignal.signal);
        continue;
      }
      // A full batch: wait for a row to finish; a partial one: nothing more is due, poll.
      await idle(claimed > 0 && held.size >= tuning.claimBatch ? tuning.pollMs * 4 : tuning.pollMs);
    }
  }

  return {
    counts,
    start() {
      if (started) return;
      if (draining) throw new Error("delivery: start() while drainOnce() runs");
      started = true;
      stopping = false;
      stopSignal = abortController();
      loop = run().catch((error: unknown) => log.fatal({ err: error }, "delivery: the claim loop stopped"));
      log.info({ channels, maxInFlight: tuning.maxInFlight, leaseMs: tuning.leaseMs }, "delivery: dispatcher started");
    },

    async stop(timeoutMs = deps.config.delivery.shutdownTimeoutMs) {
      const deadline = performance.now() + timeoutMs;
      const releasedBefore = counts.released;
      stopping = true;
      stopSignal.abort();
      nudge?.();
      const everything = async () => {
        await loop;
        while (held.size > 0) await Promise.allSettled([...held.values()].map((h) => h.done));
      };
      let timedOut = false;
      await Promise.race([
        everything(),
        sleep(Math.max(0, deadline - performance.now())).then(() => {
          timedOut = true;
        }),
      ]);
      started = false;
      // A call still hanging keeps no lease alive: its row is taken again one lease from now.
      clearInterval(heartbeat);
      heartbeat = undefined;
      const report: StopReport = { released: counts.released - releasedBefore, abandoned: held.size, timedOut };
      log.info(report, "delivery: dispatcher stopped");
      return report;
    },

    async drainOnce() {
      if (started) throw new Error("delivery: drainOnce() while the dispatcher is started");
      draining = true;
      stopping = false;
      stopSignal = abortController();
      const before = { ...counts };
      try {
        for (;;) {
          await claimRound(true);
          if (held.size === 0) break;
          await Promise.race([...held.values()].map((h) => h.done));
        }
      } finally {
        draining = false;
      }
      const delta = zeroCounts();
      for (const key of Object.keys(delta) as (keyof DeliveryCounts)[]) delta[key] = counts[key] - before[key];
      return delta;
    },

    wake() {
      nudge?.();
    },
  };
}

/** Every held row waits on it: no listener limit. */
function abortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

async function withTimeout(call: Promise<SendOutcome>, ms: number): Promise<SendOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SendOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, retryable: true, reason: `no answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([
      call.catch((error: unknown): SendOutcome => ({ ok: false, retryable: true, reason: `network: ${(error as Error).message}` })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export type { OutgoingMessage };
