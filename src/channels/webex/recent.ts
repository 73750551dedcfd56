/**
 * A bounded set of ids seen recently (insertion order, the oldest forgotten first): Webex
 * may deliver an event twice, and a captured request can be replayed with its valid
 * signature. Optimistic versions in the pipeline stop a second effect of anything older.
 */
export class RecentIds {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number = 10_000) {}

  /** True the first time an id is offered, false while it is remembered. */
  add(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** Runs work one after another per key (a Webex space), so answers and card replacements keep their order. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
