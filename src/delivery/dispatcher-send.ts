import type pg from "pg";
import type { ChannelPort, Destination, SendOutcome } from "../protocol/port.js";
import { inPartnerDomains } from "../domain/contacts.js";
import type { Logger } from "../log.js";
import { skippedResolved } from "../metrics.js";
import type { DeliveryCounter } from "./dispatcher-counts.js";
import type { SendFailure } from "./dispatcher-failure.js";
import type { Held, HeldRows } from "./dispatcher-held.js";
import type { KnownHolds } from "./dispatcher-holds.js";
import type { GateClock, ReplacePacing } from "./dispatcher-pacing.js";
import type { StopSwitch } from "./dispatcher-stop.js";
import type { DispatcherTuning } from "./dispatcher-tuning.js";
import { Gate, sleep, Urgency } from "./gate.js";
import type { Plan } from "./plan.js";
import { enqueueCardRefresh, enqueueChangeNotices } from "./thread.js";
import { markDeferred } from "./store-quiet.js";
import type { SentMessage } from "./store-lease.js";
import { markFinal, markRefreshed, markRetry, markSent, markSentAndFence, supersedeInFavourOf, supersedeRows, type ClaimedRow, type SendChannel } from "./store.js";

export interface RowSenderDeps {
  pool: pg.Pool;
  log: Logger;
  tuning: DispatcherTuning;
  ports: ReadonlyMap<SendChannel, ChannelPort>;
  plan: (row: ClaimedRow) => Promise<Plan>;
  held: HeldRows;
  counter: DeliveryCounter;
  stop: StopSwitch;
  pacing: ReplacePacing;
  gateClock: GateClock;
  /** 429 holds known here: a row claimed before one began waits until it ends. */
  holds: KnownHolds;
  /** Recipients outside these email domains get nothing. */
  partnerDomains: readonly string[];
  recordFailure: (entry: Held, outcome: SendFailure) => Promise<void>;
}

/**
 * One row, from claimed to recorded: plan → wait for its moment → (replace slot) → gate →
 * chat call → outcome (a failure goes to `recordFailure`). Returns the function the claim
 * loop runs for each held row.
 */
export function createRowSender(deps: RowSenderDeps): (entry: Held) => Promise<void> {
  const { pool, log, tuning, ports, plan, held, counter, stop, pacing, recordFailure } = deps;
  const { count } = counter;
  const gate = new Gate(tuning.maxInFlight);
  const preparing = new Gate(tuning.prepareConcurrency);
  const urgency = new Urgency();

  /**
   * A sent row whose `sent` is written by the next row through the gate, in the statement of
   * that row's fence (markSentAndFence): one round trip per message inside the gate instead
   * of two. Only with maxInFlight 1, and only when a row is already waiting for the gate; the
   * next chat call still starts only after the commit.
   */
  interface Handover {
    entry: Held;
    sent: SentMessage;
    /** The outcome of the write: true recorded, false the lease was lost. */
    settle: (recorded: boolean) => void;
    settled: boolean;
  }
  let handover: Handover | undefined;
  const handsOver = tuning.maxInFlight === 1;

  /** Writes a handed-over `sent` on its own, inside the gate (the next row needs no fence, sends nothing, or the joint statement failed). */
  async function commitAlone(h: Handover): Promise<void> {
    h.settled = true;
    h.settle(await held.persist(h.entry, () => markSent(pool, h.entry.row, h.sent)));
  }

  /** The previous row's `sent` and this row's fence, in one statement; null as held.fence() answers when the fence fails. */
  async function fenceCarrying(entry: Held, carried: Handover): Promise<{ token: string; resolved: boolean } | null> {
    carried.settled = true;
    const started = performance.now();
    let result: Awaited<ReturnType<typeof markSentAndFence>>;
    try {
      result = await held.withToken(carried.entry, () => held.withToken(entry, () => markSentAndFence(pool, carried.entry.row, carried.sent, entry.row, tuning.leaseMs)));
    } catch (error) {
      log.warn({ err: error, outboxId: entry.row.id, previous: carried.entry.row.id }, "delivery: cannot record a message and fence the next one; recording it alone, leaving the next to be retried");
      await commitAlone(carried);
      return null;
    }
    if (!result.sent) log.warn({ outboxId: carried.entry.row.id }, "delivery: lease lost before the outcome was written; another instance holds the row");
    carried.settle(result.sent);
    if (result.fenced) entry.leaseEnd = started + tuning.leaseMs;
    return result.fenced;
  }

  async function giveBack(entry: Held): Promise<void> {
    if (await held.giveBack(entry)) count("released", entry.row.channel);
  }

  /**
   * A row is prepared (freshness, coalescing, rendering) as soon as it is claimed, then waits
   * for its moment: the render time is not added to every gap between two messages to a
   * rate-limited channel. A row is claimed at most `horizonMs` before its moment, so what it
   * shows is that fresh.
   */
  async function handle(entry: Held): Promise<void> {
    const urgent = entry.row.priority > 0;
    if (urgent) urgency.begin();
    try {
      return await handleRow(entry, urgent);
    } finally {
      if (urgent) urgency.end();
    }
  }

  /**
   * Through the gate: an urgent row at its priority, any other after the urgent rows held
   * with it. The work takes the handover of the row before it (and writes it before its own
   * chat call); whatever it leaves is written before the gate passes on. What the work
   * returns runs after the gate: a row that handed its `sent` over waits for it there.
   */
  async function throughGate(entry: Held, urgent: boolean, work: (carried: Handover | undefined) => Promise<(() => Promise<void>) | void>): Promise<void> {
    if (!urgent) {
      await urgency.clear(stop.signal);
      if (stop.stopping) return giveBack(entry);
    }
    const then = await gate.run(async () => {
      const carried = handover;
      handover = undefined;
      try {
        return await work(carried);
      } finally {
        if (carried && !carried.settled) await commitAlone(carried);
      }
    }, entry.row.priority);
    if (then) await then();
  }

  async function handleRow(entry: Held, urgent: boolean): Promise<void> {
    const row = entry.row;
    if (stop.stopping) return giveBack(entry);

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
      await sleep(entry.readyAt - performance.now(), stop.signal);
      if (stop.stopping) return giveBack(entry);
    }

    switch (decided.kind) {
      case "supersede":
        if (await held.persist(entry, () => markFinal(pool, row, "superseded", decided.reason))) count("superseded", row.channel);
        return;
      case "dead":
        log.warn({ outboxId: row.id, reason: decided.reason }, "delivery: message cannot be sent, marked dead");
        if (await held.persist(entry, () => markFinal(pool, row, "dead", decided.reason))) count("dead", row.channel);
        return;
      case "coalesce": {
        const leasedAt = performance.now();
        const chosen = await held.persist(entry, () => supersedeInFavourOf(pool, row, decided.into, tuning.leaseMs));
        if (!chosen) return;
        count("superseded", row.channel);
        const next = carrierRow(row, decided.into, chosen, entry.readyAt);
        // The carrier takes the group's place: it is not a head, so nothing else can hold it.
        const carrierEntry = held.handOver(entry, next, leasedAt + tuning.leaseMs);
        try {
          return await handleRow(carrierEntry, false);
        } finally {
          held.letGo(next.id);
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
        return throughGate(entry, urgent, (carried) =>
          deliver(entry, carried, decided.to, (port) => port.send(decided.to, decided.message), undefined, decided.thenRefresh && (() => enqueueCardRefresh(pool, row, decided.thenRefresh!))),
        );
      case "defer":
        // Quiet hours (issue 17): the row waits in the outbox, nothing was sent or failed.
        if (await held.persist(entry, () => markDeferred(pool, row, decided.until, decided.reason))) count("released", row.channel);
        return;
      case "publishHome": {
        const { to, message } = decided;
        const noHome = { ok: false, retryable: false, reason: `${row.channel} has no Home page to publish` } as const;
        return throughGate(entry, urgent, (carried) => deliver(entry, carried, to, (port) => port.publishHome?.(to, message) ?? Promise.resolve(noHome)));
      }
      case "replace": {
        await pacing.waitForReplaceSlot(row.channel, urgent);
        if (stop.stopping) return giveBack(entry);
        const { to, conversationId, externalId, originalId, message, thenNotices } = decided;
        const notify = thenNotices && originalId !== null ? () => enqueueChangeNotices(pool, row, originalId, thenNotices) : undefined;
        return throughGate(entry, urgent, (carried) => deliver(entry, carried, to, (port) => port.replace(conversationId, externalId, message), originalId, notify));
      }
    }
  }

  /**
   * Inside the gate: write the previous row's handed-over `sent` (with this row's fence when
   * it needs one), call the chat API and commit what it answered, or hand that commit to the
   * row already waiting for the gate; then (returned, run after the gate) count it and queue
   * what follows it.
   */
  async function deliver(
    entry: Held,
    carried: Handover | undefined,
    to: Destination,
    call: (port: ChannelPort) => Promise<SendOutcome>,
    refreshOf?: number | null,
    afterSent?: () => Promise<void>,
  ): Promise<(() => Promise<void>) | void> {
    const row = entry.row;
    if (stop.stopping) return giveBack(entry);
    // The last step before a person hears anything: whatever path wrote the row, nobody
    // outside the partner's email domains gets customer data (TEAM_SPACES are trusted as configured).
    if (to.kind === "csm" && !inPartnerDomains(to.email, deps.partnerDomains)) {
      const reason = `not sent: ${to.email} is outside the partner's email domains (PARTNER_DOMAINS)`;
      log.warn({ outboxId: row.id, csmId: to.csmId }, "delivery: recipient outside the partner, marked dead");
      if (await held.persist(entry, () => markFinal(pool, row, "dead", reason))) count("dead", row.channel);
      return;
    }
    // An alert card is fenced and re-checked in one statement right before the call: the lease
    // is still ours, and an alert resolved while this waited for its slot is not sent. Other
    // rows only need the lease, which the heartbeat keeps fresh.
    // Claimed before a 429 held its destination (or the chat): given back until the hold ends,
    // without counting an attempt; the claim will not take it again before then.
    const heldUntil = deps.holds.until(row.channel, row.destination);
    if (heldUntil > 0) {
      const waitMs = Math.ceil(heldUntil - performance.now());
      if (await held.persist(entry, () => markRetry(pool, row, `held back: a 429 on ${row.channel} (${waitMs} ms left)`, waitMs, false))) count("released", row.channel);
      return;
    }
    const needsFence = (row.kind === "alert" || row.kind === "reminder") && row.alertId !== null;
    const leaseFresh = entry.leaseEnd - performance.now() > tuning.leaseMs / 2;
    if (carried && !needsFence && leaseFresh) await commitAlone(carried);
    const fenced = !needsFence && leaseFresh ? { token: row.token, resolved: false } : carried ? await fenceCarrying(entry, carried) : await held.fence(entry);
    if (!fenced) return;
    row.token = fenced.token;
    if (fenced.resolved) {
      skippedResolved.inc({ channel: row.channel });
      if (await held.persist(entry, () => markFinal(pool, row, "superseded", "alert resolved before sending (last check)"))) count("superseded", row.channel);
      return;
    }
    const port = ports.get(row.channel)!;
    const entered = performance.now();
    try {
      const outcome = await withTimeout(call(port), tuning.sendTimeoutMs);
      if (!outcome.ok) return await recordFailure(entry, outcome);
      const sent = { externalId: outcome.externalId, conversationId: outcome.conversationId, answeredAt: performance.now() };
      const recordedThen = async (recorded: boolean) => {
        if (recorded) count("sent", row.channel);
        // Only once the message is recorded: a Webex redraw must see the reply its card now heads, a notice the card's new id.
        if (recorded && afterSent) {
          await afterSent().catch((error: unknown) => log.warn({ err: error, outboxId: row.id }, "delivery: cannot queue what follows the message (a redraw, thread notices)"));
        }
      };
      if (handsOver && refreshOf === undefined && gate.queued > 0 && !stop.stopping) {
        const written = new Promise<boolean>((settle) => (handover = { entry, sent, settle, settled: false }));
        return async () => recordedThen(await written);
      }
      const recorded = await held.persist(entry, () => (refreshOf === undefined ? markSent(pool, row, sent) : markRefreshed(pool, row, sent, refreshOf)));
      return async () => recordedThen(recorded);
    } finally {
      deps.gateClock.observe(performance.now() - entered);
    }
  }

  return handle;
}

/** The row coalescing chose, leased in `row`'s place: same destination, the wait left, the rest of the group. */
function carrierRow(row: ClaimedRow, carrierId: number, lease: { token: string; attempts: number }, readyAt: number): ClaimedRow {
  const carrier = row.siblings.find((s) => s.id === carrierId)!;
  return {
    ...row,
    id: carrier.id,
    kind: carrier.kind,
    alertId: carrier.alertId,
    payload: carrier.payload,
    token: lease.token,
    attempts: lease.attempts,
    waitMs: Math.max(0, readyAt - performance.now()),
    previous: { status: "pending", nextAttemptAt: "now" },
    alert: { status: carrier.alertStatus, kind: carrier.alertKind, useCaseDeploymentId: row.alert!.useCaseDeploymentId },
    siblings: row.siblings.filter((s) => s.id !== carrier.id),
  };
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
