import type { StopSwitch } from "./dispatcher-stop.js";
import { sleep } from "./gate.js";
import type { SendChannel } from "./store.js";

/**
 * Replacements on one chat are spaced `replaceIntervalMs` apart, per instance. The card a
 * person just clicked (urgent: a row with priority) waits only for the gap after the last
 * replacement made, not behind every one already booked (a short burst Slack's tier allows).
 */
export interface ReplacePacing {
  waitForReplaceSlot(channel: SendChannel, urgent: boolean): Promise<void>;
}

export function createReplacePacing(replaceIntervalMs: Record<SendChannel, number>, stop: StopSwitch): ReplacePacing {
  const nextReplaceAt = new Map<SendChannel, number>();
  const lastReplaceAt = new Map<SendChannel, number>();
  return {
    async waitForReplaceSlot(channel, urgent) {
      const gap = replaceIntervalMs[channel] ?? 0;
      if (gap <= 0) return;
      const now = performance.now();
      let at: number;
      if (urgent) at = Math.max(now, (lastReplaceAt.get(channel) ?? -Infinity) + gap);
      else {
        at = Math.max(now, nextReplaceAt.get(channel) ?? 0);
        nextReplaceAt.set(channel, at + gap);
      }
      await sleep(at - now, stop.signal);
      lastReplaceAt.set(channel, performance.now());
    },
  };
}

/**
 * Moving average of the time one row spends inside the gate (chat call + commit): the
 * sender measures it, the claim loop sizes its claims by it.
 */
export interface GateClock {
  readonly meanMs: number;
  observe(ms: number): void;
}

export function createGateClock(initialMs = 5): GateClock {
  let meanMs = initialMs;
  return {
    get meanMs() {
      return meanMs;
    },
    observe(ms) {
      meanMs = meanMs * 0.8 + ms * 0.2;
    },
  };
}
