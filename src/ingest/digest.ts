import crypto from "node:crypto";
import { COLUMNS, type CellRecord } from "./columns.js";

/**
 * Bumped whenever a rule of row.ts or of the merge changes what a row's cells produce: every
 * stored digest then differs from the next snapshot's, and each row is read in full once.
 */
const DIGEST_VERSION = "r1";

const FIELDS = COLUMNS.map((column) => column.field);

/**
 * A digest of a row's cells as the file gave them, before any rule read them: the same
 * cells under the same columns give the same digest, whatever the file's column order.
 * Each value is written with its type and a length or terminator, so that no two records
 * spell the same text (a cell holding "3:abc" is not three cells). Undefined when a cell is
 * not a plain value (a JSON object, an oversized or too deep one): such a row is read in
 * full every time, and refused there.
 *
 * Stored with the use case the row merged into (content_hash), it lets the next snapshot
 * pass over the cells of a row LCA did not change without validating them again.
 */
export function rowDigest(record: CellRecord): string | undefined {
  let text = DIGEST_VERSION;
  for (const field of FIELDS) {
    const value = record[field];
    if (typeof value === "string") text += `${value.length}:${value}`;
    else if (value === undefined || value === null) text += "~";
    else if (typeof value === "number") text += `n${value};`;
    else if (typeof value === "boolean") text += value ? "t" : "f";
    else if (value instanceof Date) text += `d${value.getTime()};`;
    else return undefined;
  }
  return md5(text);
}

/**
 * MD5 in base64. crypto.hash (Node 20.12 and later) hashes in one call; a Hash object per
 * row (createHash, update, digest) took twice its time over 200,000 rows.
 */
export function md5(text: string): string {
  return oneShot ? oneShot("md5", text, "base64") : crypto.createHash("md5").update(text).digest("base64");
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "base64") => string }).hash;

/** What a reader asks of the digests it is given: Set<string> answers, and so does DigestSet. */
export interface Digests {
  has(digest: string): boolean;
}

const BASE64_VALUE = new Int8Array(128).fill(-1);
[..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].forEach((c, i) => (BASE64_VALUE[c.charCodeAt(0)] = i));

/**
 * The 200,000 digests of a day's rows without 200,000 strings: 60 bits of each (its first
 * ten base64 characters) in an open-addressing table of two 32-bit words per slot, a few MB
 * instead of some 40 MB of strings and Set entries. A digest is MD5, so those bits are as
 * good as random: another row's digest shares them by chance once in 2^60 / 200,000, far
 * below anything an export will meet. A text too short or not base64 is left out (it then
 * matches nothing: such a row is read in full), and so is one past the count the table was
 * sized for: a digest left out only means its row is read in full.
 */
export class DigestSet implements Digests {
  private readonly slots: Uint32Array;
  private readonly mask: number;
  private size = 0;

  /** `count`: how many digests will be added at most (the table is sized for it once). */
  constructor(count: number) {
    // At most half full, so that a probe for a digest not held ends at an empty slot soon.
    let size = 1024;
    while (size < count * 2) size *= 2;
    this.slots = new Uint32Array(size * 2);
    this.mask = size - 1;
  }

  /** Adds the digests of `joined`, separated by commas (base64 holds none), as string_agg gives them; past the count given, none. */
  addJoined(joined: string): void {
    for (let start = 0; start < joined.length; ) {
      let end = joined.indexOf(",", start);
      if (end === -1) end = joined.length;
      const key = keyOf(joined, start, end);
      if (key && this.size < (this.mask + 1) / 2) this.insert(key[0], key[1]);
      start = end + 1;
    }
  }

  has(digest: string): boolean {
    const key = keyOf(digest, 0, digest.length);
    if (!key) return false;
    const [high, low] = key;
    for (let slot = high & this.mask; ; slot = (slot + 1) & this.mask) {
      const h = this.slots[slot * 2]!;
      if (h === 0) return false;
      if (h === high && this.slots[slot * 2 + 1] === low) return true;
    }
  }

  private insert(high: number, low: number): void {
    for (let slot = high & this.mask; ; slot = (slot + 1) & this.mask) {
      const h = this.slots[slot * 2]!;
      if (h === high && this.slots[slot * 2 + 1] === low) return;
      if (h === 0) {
        this.slots[slot * 2] = high;
        this.slots[slot * 2 + 1] = low;
        this.size++;
        return;
      }
    }
  }
}

/** Two words of 30 bits from the first ten base64 characters; the high word's bit 30 is set so that no key is the empty slot's 0. */
function keyOf(text: string, start: number, end: number): [number, number] | undefined {
  if (end - start < 10) return undefined;
  let high = 0;
  let low = 0;
  for (let i = 0; i < 10; i++) {
    const code = text.charCodeAt(start + i);
    const value = code < 128 ? BASE64_VALUE[code]! : -1;
    if (value < 0) return undefined;
    if (i < 5) high = (high << 6) | value;
    else low = (low << 6) | value;
  }
  return [(high | 0x4000_0000) >>> 0, low];
}
