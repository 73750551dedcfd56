import { describe, expect, it } from "vitest";
import { progressLine } from "../../src/terminal.js";

describe("the ingest's progress line", () => {
  it("shows the phase, the rows read and the rows per second, redrawn in place at most every 200 ms, and clears itself", () => {
    let clock = 0;
    const written: string[] = [];
    const line = progressLine({ write: (text: string) => written.push(text) }, () => clock);
    clock = 500;
    line.update({ phase: "reading", rowsRead: 1000 });
    clock = 600;
    line.update({ phase: "reading", rowsRead: 2000 }); // too soon: not redrawn
    clock = 1000;
    line.update({ phase: "reading", rowsRead: 4000 });
    clock = 1050;
    line.update({ phase: "merging", rowsRead: 5000 }); // a new phase is drawn at once
    clock = 9000;
    line.update({ phase: "alerts", rowsRead: 5000 });
    line.end();
    expect(written).toEqual([
      "\r\u001b[2Kreading: 1,000 rows, 2,000 rows/s",
      "\r\u001b[2Kreading: 4,000 rows, 4,000 rows/s",
      "\r\u001b[2Kmerging: 5,000 rows, 4,762 rows/s",
      "\r\u001b[2Kalerts: 5,000 rows, 4,762 rows/s", // the reading's rate, not diluted by the merge
      "\r\u001b[2K",
    ]);
  });

  it("writes nothing at the end when it never drew", () => {
    const written: string[] = [];
    progressLine({ write: (text: string) => written.push(text) }).end();
    expect(written).toEqual([]);
  });
});
