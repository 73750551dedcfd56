import type { SendChannel } from "./store.js";
import { EVERY_DESTINATION, type Hold } from "./store-hold.js";

/**
 * The 429 holds this instance knows of (its own at once, the others' from the poll), for rows
 * it claimed before a hold began: such a row is not sent until the hold ends. The claim
 * itself reads outbox_hold, so this only covers the rows already in hand.
 */
export interface KnownHolds {
  /** performance.now() until which nothing may go to this destination; 0 if none. */
  until(channel: SendChannel, destination: string): number;
  add(channel: SendChannel, destination: string, ms: number): void;
  /** Replaces what another instance's holds said (the poll's read of outbox_hold). */
  learn(holds: readonly Hold[]): void;
}

export function createKnownHolds(): KnownHolds {
  const holds = new Map<string, number>();
  const key = (channel: SendChannel, destination: string) => `${channel}\u0000${destination}`;
  const set = (k: string, end: number) => holds.set(k, Math.max(holds.get(k) ?? 0, end));
  return {
    until(channel, destination) {
      if (holds.size === 0) return 0;
      const now = performance.now();
      const end = Math.max(holds.get(key(channel, destination)) ?? 0, holds.get(key(channel, EVERY_DESTINATION)) ?? 0);
      return end > now ? end : 0;
    },
    add(channel, destination, ms) {
      set(key(channel, destination), performance.now() + ms);
    },
    learn(list) {
      const now = performance.now();
      for (const [k, end] of holds) if (end <= now) holds.delete(k);
      for (const h of list) set(key(h.channel, h.destination), now + h.remainingMs);
    },
  };
}
