import { describe, expect, it } from "vitest";
import { Gate, Urgency } from "../../src/delivery/gate.js";

/** A promise and the function that settles it, to hold a holder inside the gate. */
function latch(): { done: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}

describe("the delivery gate", () => {
  it("lets the waiting in by priority, then in order of arrival", async () => {
    const gate = new Gate(1);
    const order: string[] = [];
    const first = latch();
    const holder = gate.run(() => first.done);
    const runs = [
      gate.run(async () => void order.push("a0"), 0),
      gate.run(async () => void order.push("b0"), 0),
      gate.run(async () => void order.push("c1"), 1),
      gate.run(async () => void order.push("d1"), 1),
    ];
    first.open();
    await Promise.all([holder, ...runs]);
    expect(order).toEqual(["c1", "d1", "a0", "b0"]);
  });

  it("never holds more than its size", async () => {
    const gate = new Gate(2);
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        gate.run(async () => {
          most = Math.max(most, ++inside);
          await new Promise((resolve) => setTimeout(resolve, i % 3));
          inside--;
        }, i % 2),
      ),
    );
    expect(most).toBe(2);
  });
});

describe("urgency", () => {
  it("holds others until every urgent row has ended, and lets them go at once when none is pending", async () => {
    const urgency = new Urgency();
    await expect(urgency.clear()).resolves.toBeUndefined();
    urgency.begin();
    urgency.begin();
    let cleared = false;
    const waiting = urgency.clear().then(() => (cleared = true));
    urgency.end();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cleared).toBe(false);
    urgency.end();
    await waiting;
    expect(cleared).toBe(true);
  });

  it("lets a waiter go when the dispatcher stops", async () => {
    const urgency = new Urgency();
    urgency.begin();
    const stop = new AbortController();
    const waiting = urgency.clear(stop.signal);
    stop.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
