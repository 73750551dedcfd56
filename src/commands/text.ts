/**
 * Text helpers for the command language: normalising words, splitting a line into tokens
 * (with "quoted values"), edit distance and keyboard-layout mix-ups. Pure, no I/O.
 */
import type { Locale } from "../config.js";

/** A word as typed, and where it sits in the line. `text` has its quotes removed. */
export type Token = { raw: string; text: string; quoted: boolean; start: number; end: number };

/** Quote marks people type: ASCII, English curly quotes, Russian «ёлочки» and „лапки“. */
const OPENING_QUOTES = new Set(['"', "“", "”", "«", "„"]);
const CLOSING_QUOTES = new Set(['"', "“", "”", "»"]);

/** Zero-width characters some clients insert around mentions. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/** Unicode-normalised text with invisible characters removed; every kind of space is one space. */
export function cleanText(text: string): string {
  return text.normalize("NFC").replace(INVISIBLE, "").replace(/\s+/gu, " ").trim();
}

/**
 * A keyword as compared: lower case (Cyrillic included), "ё" as "е", without "-" and "_"
 * (so "use-case", "use_case" and "usecase" are one word).
 */
export function normalizeWord(word: string): string {
  return word.normalize("NFC").toLowerCase().replaceAll("ё", "е").replace(/[-_]/g, "");
}

/**
 * Splits a line on spaces. A quote opens anywhere in a word (`tag:"Enterprise East"`) and
 * runs to the next closing quote, spaces included; an unclosed quote runs to the end.
 */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/u.test(line[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let text = "";
    let quoted = false;
    while (i < line.length && !/\s/u.test(line[i]!)) {
      const ch = line[i]!;
      if (OPENING_QUOTES.has(ch)) {
        quoted = true;
        i++;
        while (i < line.length && !CLOSING_QUOTES.has(line[i]!)) text += line[i++];
        i++; // the closing quote (or past the end)
      } else {
        text += ch;
        i++;
      }
    }
    const end = Math.min(i, line.length);
    tokens.push({ raw: line.slice(start, end), text, quoted, start, end });
  }
  return tokens;
}

/** Removes one pair of surrounding quotes, if the whole text is quoted. */
export function unquote(text: string): string {
  const first = text[0];
  const last = text[text.length - 1];
  if (text.length >= 2 && first !== undefined && last !== undefined && OPENING_QUOTES.has(first) && CLOSING_QUOTES.has(last)) {
    return text.slice(1, -1).trim();
  }
  return text;
}

/** "ru" when the text holds Cyrillic letters and no Latin ones outnumber them, else "en". */
export function scriptLanguage(text: string): Locale {
  const cyrillic = (text.match(/\p{Script=Cyrillic}/gu) ?? []).length;
  const latin = (text.match(/\p{Script=Latin}/gu) ?? []).length;
  return cyrillic > 0 && cyrillic >= latin ? "ru" : "en";
}

/**
 * Optimal-string-alignment distance (Damerau–Levenshtein where a transposed pair counts
 * once): "staled" → "stalled" is 1, "новеы" → "новые" is 1.
 */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]![j]!;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      rows[i]![j] = best;
    }
  }
  return at(x.length, y.length);
}

/** The same keys on the Russian ЙЦУКЕН and the English QWERTY layouts. */
const QWERTY = "`qwertyuiop[]asdfghjkl;'zxcvbnm,.";
const JCUKEN = "ёйцукенгшщзхъфывапролджэячсмитьбю";
const TO_RU = new Map([...QWERTY].map((ch, i) => [ch, JCUKEN[i]!]));
const TO_EN = new Map([...JCUKEN].map((ch, i) => [ch, QWERTY[i]!]));

/**
 * The word as it would read had it been typed on the other keyboard layout ("ыефддув" →
 * "stalled", "yjdst" → "новые"), or undefined when it is not a layout slip.
 */
export function otherLayout(word: string): string | undefined {
  const lower = word.toLowerCase();
  const map = scriptLanguage(lower) === "ru" ? TO_EN : TO_RU;
  const chars = [...lower];
  if (!chars.every((ch) => map.has(ch))) return undefined;
  return chars.map((ch) => map.get(ch)!).join("");
}
