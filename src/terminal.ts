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
