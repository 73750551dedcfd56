import { jsonParser } from "stream-json/core/parser.js";
import { AppError } from "../errors.js";
import { OversizedText, TooDeep } from "./row.js";

/**
 * Limits of the JSON reader. A cell is a single value: an object or array there is refused
 * anyway, so only its outline is kept (for the message), however big or deep it is.
 */
export const JSON_LIMITS = {
  /** Code units kept of one string, key or number; a longer one is read as OversizedText. */
  maxString: 64 * 1024,
  /** A cell nested deeper than this (levels below the row's object) is reported as too deep. */
  maxDepth: 32,
  /** Levels and entries of a nested cell value kept for the message ("{"city":"Berlin"}"). */
  outlineDepth: 3,
  outlineEntries: 3,
  /** Keys one row object may have: 31 columns and some unknown ones, not a million. */
  maxKeys: 1000,
};

// stream-json's parser speaks stream-chain's protocol, whose markers are registered symbols.
const NONE = Symbol.for("object-stream.none");
const MANY = Symbol.for("object-stream.many");

type Token = { name: string; value?: unknown };
type Container = { kind: "object"; value: Record<string, unknown>; key: string | undefined; size: number } | { kind: "array"; value: unknown[]; size: number };

/**
 * The elements of a JSON array, from its text, assembled without recursion and within
 * JSON_LIMITS: 10,000 nested arrays cost a counter, not a stack frame, and a string of a
 * gigabyte costs 64 KiB. Yields each element with its 1-based position.
 */
export async function* jsonElements(text: AsyncIterable<string>, file: string): AsyncGenerator<{ rowNumber: number; value: unknown }> {
  const parse = jsonParser({ packValues: false, streamValues: true }) as unknown as (chunk: string | symbol) => unknown;
  const assembler = new ElementAssembler(file);
  const feed = (chunk: string | symbol) => {
    const out = parse(chunk);
    if (out === NONE || out === undefined) return;
    const tokens = (out as Record<symbol, unknown>)[MANY] === 1 ? (out as { values: Token[] }).values : [out as Token];
    for (const token of tokens) assembler.push(token);
  };
  try {
    for await (const chunk of text) {
      feed(chunk);
      yield* assembler.drain();
    }
    feed(NONE);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("ingest.unreadable", { file, reason: error instanceof Error ? error.message : String(error) }, error);
  }
  yield* assembler.drain();
  if (!assembler.ended) throw new AppError("ingest.unreadable", { file, reason: assembler.started ? "the JSON array is not closed" : "the file holds no JSON array" });
}

class ElementAssembler {
  started = false;
  ended = false;
  private readonly ready: { rowNumber: number; value: unknown }[] = [];
  private elements = 0;
  /** Containers open inside the current element, outermost first. */
  private readonly stack: Container[] = [];
  /** Nesting below the top-level array: 1 is the element itself. */
  private depth = 0;
  /** Inside a cell's value beyond the outline: only depth is counted. */
  private skippedFrom: number | undefined;
  private deepest: TooDeep | undefined;
  /** The text being collected (a key, a string or a number). */
  private parts: string[] = [];
  private length = 0;

  constructor(private readonly file: string) {}

  *drain(): Generator<{ rowNumber: number; value: unknown }> {
    while (this.ready.length > 0) yield this.ready.shift()!;
  }

  push(token: Token): void {
    if (this.ended) return; // the parser refuses anything after the array itself
    switch (token.name) {
      case "startArray":
      case "startObject":
        return this.open(token.name === "startArray" ? "array" : "object");
      case "endArray":
      case "endObject":
        return this.close();
      case "startKey":
      case "startString":
      case "startNumber":
        this.parts = [];
        this.length = 0;
        return;
      case "stringChunk":
      case "numberChunk":
        return this.collect(String(token.value));
      case "endKey":
        return this.key(this.collected());
      case "endString":
        return this.value(this.collected());
      case "endNumber": {
        const text = this.collected();
        return this.value(text instanceof OversizedText ? text : Number(text));
      }
      case "nullValue":
        return this.value(null);
      case "trueValue":
        return this.value(true);
      case "falseValue":
        return this.value(false);
      default:
        return; // keyValue, stringValue, numberValue: not produced (packValues is off)
    }
  }

  private refuse(reason: string): never {
    throw new AppError("ingest.unreadable", { file: this.file, reason });
  }

  private open(kind: "array" | "object"): void {
    if (!this.started) {
      this.started = true;
      if (kind !== "array") this.refuse("a JSON export is an array of objects, not a single object");
      return;
    }
    this.depth++;
    if (this.skippedFrom !== undefined) {
      if (this.deepest && this.depth > this.deepest.depth) this.deepest.depth = this.depth;
      return;
    }
    const parent = this.stack.at(-1);
    // Below the row's own object (depth 1) a container is a bad cell: keep its outline only.
    if (this.depth > 1 + JSON_LIMITS.outlineDepth) {
      this.skippedFrom = this.depth;
      this.deepest = new TooDeep(this.depth); // grows while the skipped part goes deeper
      this.place(this.deepest);
      return;
    }
    if (parent !== undefined && this.depth > 2 && parent.size >= JSON_LIMITS.outlineEntries) {
      this.skippedFrom = this.depth;
      this.deepest = undefined;
      this.place(new TooDeep(0)); // counted, shown as "…"
      return;
    }
    // Objects without a prototype: a key "__proto__" in an export is just a key.
    this.stack.push(kind === "array" ? { kind, value: [], size: 0 } : { kind, value: Object.create(null) as Record<string, unknown>, key: undefined, size: 0 });
  }

  private close(): void {
    if (this.depth === 0) {
      this.ended = true;
      return;
    }
    if (this.skippedFrom !== undefined) {
      if (this.depth === this.skippedFrom) this.skippedFrom = undefined;
      this.depth--;
      return;
    }
    const done = this.stack.pop()!;
    this.depth--;
    if (this.depth === 0) {
      this.emit(this.markDeep(done.value));
      return;
    }
    this.place(done.value);
  }

  /**
   * The cells of a finished row: a cell whose value went deeper than maxDepth becomes that
   * TooDeep (the message names its depth); a shallower skipped part stays as "…" in the outline.
   */
  private markDeep(value: unknown): unknown {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const row = value as Record<string, unknown>;
      for (const key of Object.keys(row)) {
        const deepest = deepestIn(row[key]);
        if (deepest !== undefined && deepest.depth - 1 > JSON_LIMITS.maxDepth) row[key] = new TooDeep(deepest.depth - 1);
      }
    }
    return value;
  }

  private collect(chunk: string): void {
    this.length += chunk.length;
    if (this.length - chunk.length < JSON_LIMITS.maxString + 1) this.parts.push(chunk);
  }

  private collected(): string | OversizedText {
    const text = this.parts.join("");
    this.parts = [];
    if (this.length > JSON_LIMITS.maxString) return new OversizedText(text.slice(0, JSON_LIMITS.maxString), this.length);
    return text;
  }

  private key(key: string | OversizedText): void {
    if (this.skippedFrom !== undefined) return;
    const top = this.stack.at(-1);
    if (top?.kind === "object") top.key = key instanceof OversizedText ? `${key.head.slice(0, 100)}…` : key;
  }

  private value(value: unknown): void {
    if (this.skippedFrom !== undefined) return;
    if (this.depth === 0) {
      if (!this.started) this.refuse("a JSON export is an array of objects");
      this.elements++;
      this.ready.push({ rowNumber: this.elements, value });
      return;
    }
    this.place(value);
  }

  /** Puts a finished value into the open container (or hands on a scalar element). */
  private place(value: unknown): void {
    const top = this.stack.at(-1);
    if (!top) {
      this.emit(value);
      return;
    }
    if (top.kind === "array") {
      if (top.size < JSON_LIMITS.outlineEntries) top.value.push(value);
      else if (top.size === JSON_LIMITS.outlineEntries) top.value.push(new TooDeep(0)); // shown as "…"
      top.size++;
      return;
    }
    const key = top.key ?? "";
    top.key = undefined;
    top.size++;
    const isRow = this.stack.length === 1;
    if (isRow && top.size > JSON_LIMITS.maxKeys) this.refuse(`row ${this.elements + 1} has more than ${JSON_LIMITS.maxKeys} keys`);
    if (!isRow && top.size > JSON_LIMITS.outlineEntries) return;
    top.value[key] = value;
  }

  private emit(value: unknown): void {
    this.elements++;
    this.ready.push({ rowNumber: this.elements, value });
  }
}

/** The deepest TooDeep marker in an outline, walking it without recursion. */
function deepestIn(value: unknown): TooDeep | undefined {
  let deepest: TooDeep | undefined;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next instanceof TooDeep) {
      if (!deepest || next.depth > deepest.depth) deepest = next;
    } else if (Array.isArray(next)) pending.push(...next);
    else if (typeof next === "object" && next !== null) pending.push(...Object.values(next));
  }
  return deepest;
}
