import { setMaxListeners } from "node:events";

/**
 * Whether the dispatcher is stopping, and the signal that cuts every wait short when it
 * does. Each start() and drainOnce() begins a new run with a fresh signal.
 */
export interface StopSwitch {
  readonly stopping: boolean;
  readonly signal: AbortSignal;
  /** A new run: not stopping, a signal not yet aborted. */
  reset(): void;
  stop(): void;
}

export function createStopSwitch(): StopSwitch {
  let stopping = false;
  let controller = abortController();
  return {
    get stopping() {
      return stopping;
    },
    get signal() {
      return controller.signal;
    },
    reset() {
      stopping = false;
      controller = abortController();
    },
    stop() {
      stopping = true;
      controller.abort();
    },
  };
}

/** Every held row waits on it: no listener limit. */
function abortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
