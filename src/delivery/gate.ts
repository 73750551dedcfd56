/**
 * A counting semaphore: at most `size` holders at once, the waiting served by priority and
 * then in order of arrival. The dispatcher uses it around "call the chat API → commit the
 * outcome", the window in which a crash causes a duplicate: with size 1, a kill -9 can
 * repeat at most one message. Priority lets the card a person just clicked jump the queue.
 */
export class Gate {
  private holders = 0;
  private readonly waiting: { priority: number; resolve: () => void }[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`gate size must be a whole number ≥ 1, got ${size}`);
  }

  async run<T>(work: () => Promise<T>, priority = 0): Promise<T> {
    if (this.holders >= this.size) {
      await new Promise<void>((resolve) => {
        // Behind everyone of the same or higher priority, ahead of the lower.
        const at = this.waiting.findIndex((w) => w.priority < priority);
        this.waiting.splice(at === -1 ? this.waiting.length : at, 0, { priority, resolve });
      });
    } else this.holders++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line: the holder count stays the same.
      if (next) next.resolve();
      else this.holders--;
    }
  }

  get busy(): number {
    return this.holders;
  }

  /** Waiting for a slot: the next holder is already in line. */
  get queued(): number {
    return this.waiting.length;
  }
}

/**
 * Rows a person is waiting for (the card they clicked) that have not been sent yet. Other
 * rows prepared alongside them wait for `clear()` before the gate, so a row that happened to
 * finish its preparation first does not go ahead of the clicked card.
 */
export class Urgency {
  private pending = 0;
  private waiting: (() => void)[] = [];

  begin(): void {
    this.pending++;
  }

  end(): void {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending > 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((resolve) => resolve());
  }

  /** Resolves when no urgent row is pending (or at once when `signal` aborts). */
  clear(signal?: AbortSignal): Promise<void> {
    if (this.pending === 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.waiting.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks which). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
