import type pg from "pg";
import type { Logger } from "../log.js";
import { sleep } from "./gate.js";
import { fenceSend, release, renewLeases, type ClaimedRow } from "./store.js";

/** A row this instance holds, with the state of its lease. */
export interface Held {
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

export interface HeldRowsDeps {
  pool: pg.Pool;
  log: Logger;
  leaseMs: number;
  heartbeatMs: number;
}

/**
 * The rows this instance holds and their leases: one heartbeat renews them all, and every
 * statement that uses a row's token runs through `withToken`, so the token it fences with
 * is current.
 */
export interface HeldRows {
  readonly size: number;
  /** The held rows as they are now. */
  all(): Held[];
  /** Holds a claimed row whose lease holds until `leaseEnd`; the heartbeat renews it from now on. */
  hold(row: ClaimedRow, leaseEnd: number): Held;
  /** The row is no longer ours to renew (recorded, given back, or failed). */
  letGo(id: number): void;
  /** Coalescing leased `carrier` in `entry`'s place: it takes over the entry's wait and its `done`. */
  handOver(entry: Held, carrier: ClaimedRow, leaseEnd: number): Held;
  withToken<T>(entry: Held, statement: () => Promise<T>): Promise<T>;
  persist<T>(entry: Held, write: () => Promise<T>): Promise<T | false>;
  fence(entry: Held): Promise<{ token: string; resolved: boolean } | null>;
  /** Gives the row back untouched; true if it was ours to give. */
  giveBack(entry: Held): Promise<boolean>;
  /** No more renewals: a call still hanging at stop() keeps no lease alive. */
  stopHeartbeat(): void;
}

export function createHeldRows({ pool, log, leaseMs, heartbeatMs }: HeldRowsDeps): HeldRows {
  const held = new Map<number, Held>();
  let heartbeat: NodeJS.Timeout | undefined;
  let beating = false;

  function ensureHeartbeat(): void {
    if (heartbeat) return;
    heartbeat = setInterval(() => void beat(), heartbeatMs);
    heartbeat.unref();
  }

  function stopHeartbeat(): void {
    clearInterval(heartbeat);
    heartbeat = undefined;
  }

  /** Renews every held row's lease in one statement; a row that is gone from the answer was taken over. */
  async function beat(): Promise<void> {
    if (held.size === 0) return stopHeartbeat();
    if (beating) return;
    beating = true;
    const entries = [...held.values()].filter((e) => e.writing === 0 && !e.renewing);
    let finish = () => undefined as void;
    const renewing = new Promise<void>((resolve) => (finish = resolve));
    for (const e of entries) e.renewing = renewing;
    const started = performance.now();
    try {
      const tokens = await renewLeases(pool, entries.map((e) => e.row), leaseMs);
      for (const e of entries) {
        const token = tokens.get(e.row.id);
        if (token) {
          e.row.token = token;
          e.leaseEnd = started + leaseMs;
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

  return {
    get size() {
      return held.size;
    },
    all: () => [...held.values()],

    hold(row, leaseEnd) {
      const entry: Held = { row, leaseEnd, writing: 0, renewing: undefined, readyAt: performance.now() + row.waitMs, done: Promise.resolve() };
      held.set(row.id, entry);
      ensureHeartbeat();
      return entry;
    },

    letGo(id) {
      held.delete(id);
    },

    handOver(entry, carrier, leaseEnd) {
      held.delete(entry.row.id);
      const carrierEntry: Held = { row: carrier, leaseEnd, writing: 0, renewing: undefined, readyAt: entry.readyAt, done: entry.done };
      held.set(carrier.id, carrierEntry);
      return carrierEntry;
    },

    withToken,

    /**
     * Writes an outcome, retrying through a database outage while our lease holds: a write
     * lost after the chat answered would mean sending the message again. false: the lease
     * was lost (another instance holds the row), or the database stayed away.
     */
    async persist(entry, write) {
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
    },

    /** The fence renews the lease too: the entry's lease end moves with it. */
    async fence(entry) {
      const started = performance.now();
      return withToken(entry, async () => {
        const fenced = await fenceSend(pool, entry.row, leaseMs);
        if (fenced) entry.leaseEnd = started + leaseMs;
        return fenced;
      }).catch((error: unknown) => {
        log.warn({ err: error, outboxId: entry.row.id }, "delivery: cannot fence a send; leaving the row to be retried");
        return null;
      });
    },

    async giveBack(entry) {
      return withToken(entry, () => release(pool, entry.row)).catch((error: unknown) => {
        log.warn({ err: error, outboxId: entry.row.id }, "delivery: cannot release a row; its lease will expire");
        return false;
      });
    },

    stopHeartbeat,
  };
}
