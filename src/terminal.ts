/**
 * Text that came from outside (an export's cells, a header, a setting) shown on a terminal.
 * An ANSI escape sequence in a cell could recolour, move the cursor, retitle the window or
 * hide the lines above it; a line break could forge a line of output. Every control
 * character (C0 including tab and line feed, DEL, C1), the bidirectional overrides that
 * reorder what is shown ("Trojan Source"), and lone surrogates are written as visible
 * escapes instead: ESC becomes `\x1b`, U+202E becomes `\u202e`. A backslash stays as it is.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Each line of a text we composed ourselves made printable, its own line breaks kept. */
export function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}

/** Where a progress line is drawn: a terminal's stream (process.stderr). */
export interface ProgressStream {
  write(text: string): unknown;
}

export interface ProgressLine {
  update(progress: { phase: string; rowsRead: number }): void;
  /** Clears the line, so that what is printed next starts on a clean one. */
  end(): void;
}

/** How often the line is redrawn at most, in milliseconds. */
const PROGRESS_INTERVAL_MS = 200;

/**
 * One line on a terminal, redrawn in place: the phase, the rows read and the rows per second
 * of the reading so far, e.g. `reading: 120,000 rows, 31,200 rows/s`. The caller decides
 * whether there is a terminal to draw on (`lca-bot ingest` draws only when stdout and stderr
 * both are one and --json is not given); nothing here comes from the file.
 */
export function progressLine(stream: ProgressStream, now: () => number = () => performance.now()): ProgressLine {
  const started = now();
  let drawn = -Infinity;
  let phase = "";
  let shown = false;
  let rate = 0;
  let read = false;
  return {
    update(progress) {
      const t = now();
      if (progress.phase === phase && t - drawn < PROGRESS_INTERVAL_MS) return;
      phase = progress.phase;
      drawn = t;
      // The rate is the reading's: once the rows are all read it stays as it was then.
      if (!read) {
        rate = Math.round(progress.rowsRead / Math.max((t - started) / 1000, 0.001));
        read = progress.phase !== "reading";
      }
      stream.write(`\r\u001b[2K${progress.phase}: ${progress.rowsRead.toLocaleString("en")} rows, ${rate.toLocaleString("en")} rows/s`);
      shown = true;
    },
    end() {
      if (shown) stream.write("\r\u001b[2K");
      shown = false;
    },
  };
}
