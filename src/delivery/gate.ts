/**
 * A counting semaphore with a FIFO queue: at most `size` holders at once. The dispatcher
 * uses it around "call the chat API → commit the outcome", the window in which a crash
 * causes a duplicate: with size 1, a kill -9 can repeat at most one message.
 */
export class Gate {
  private holders = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`gate size must be a whole number ≥ 1, got ${size}`);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.holders >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.holders++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line: the holder count stays the same.
      if (next) next();
      else this.holders--;
    }
  }

  get busy(): number {
    return this.holders;
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
