/** The commands that set how the bot talks to a person: subscribe, unsubscribe, digest, lang, settings. */
import { ALERT_KINDS, type AlertKind } from "../domain/recommendations.js";
import { fail, filterLike, ok, readOptions, unexpected, type Args, type Outcome } from "./parse-arguments.js";
import { bare, DIGEST_FILLER, KIND_WORDS, LANG_FILLER, LANGUAGE_WORDS, LIST_FILLER, MODE_WORDS, QUIET_FILLER, SUBSCRIBE_FILLER, SWITCH_WORDS, WEEKEND_WORDS } from "./parse-vocabulary.js";
import type { Token } from "./text.js";
import type { Command } from "./types.js";

export function parseSubscribe(args: Args): Outcome<Extract<Command, { kind: "subscribe" }>> {
  const options = readOptions(args, { paging: false });
  if (!options.ok) return options;
  let mode: "immediate" | "digest" = "immediate";
  const kinds: (AlertKind | "contacts" | "all")[] = [];
  for (const word of splitCommas(options.value.others)) {
    const modeWord = MODE_WORDS.get(bare(word));
    if (modeWord) {
      mode = modeWord.value;
      continue;
    }
    const kind = KIND_WORDS.get(bare(word));
    if (!kind) {
      if (SUBSCRIBE_FILLER.has(bare(word))) continue;
      return fail("commands.errors.kinds", { value: word });
    }
    // "missing contacts", "bounced contacts": the noun after a contact kind adds nothing.
    if (kind.value === "contacts" && (kinds.at(-1) === "bounced_contact" || kinds.at(-1) === "missing_contact")) continue;
    kinds.push(kind.value);
  }
  if (kinds.length === 0) return fail("commands.errors.kinds", { value: "" });
  return ok({ kind: "subscribe", kinds: kindList(kinds, ALERT_KINDS), filters: options.value.filters, mode });
}

export function parseUnsubscribe(args: Args): Outcome<Extract<Command, { kind: "unsubscribe" }>> {
  const kinds: (AlertKind | "contacts" | "all")[] = [];
  for (const word of splitCommas(args.tokens)) {
    const kind = KIND_WORDS.get(bare(word));
    if (!kind) {
      if (SUBSCRIBE_FILLER.has(bare(word))) continue;
      return filterLike(word) ? unexpected(word, args) : fail("commands.errors.kinds", { value: word });
    }
    if (kind.value === "contacts" && (kinds.at(-1) === "bounced_contact" || kinds.at(-1) === "missing_contact")) continue;
    kinds.push(kind.value);
  }
  return ok({ kind: "unsubscribe", kinds: kindList(kinds, []) });
}

export function parseDigest(args: Args): Outcome<Extract<Command, { kind: "digest" }>> {
  let enabled: boolean | undefined;
  let time: string | undefined;
  for (const token of args.tokens) {
    const word = bare(token.text);
    if (DIGEST_FILLER.has(word) && SWITCH_WORDS.get(word) === undefined) continue;
    const onOff = SWITCH_WORDS.get(word);
    if (onOff !== undefined && enabled === undefined) {
      enabled = onOff.value;
    } else if (/\d/.test(word) && time === undefined) {
      time = timeOfDay(word);
      if (time === undefined) return fail("commands.errors.digestTime", { value: token.text });
    } else if (enabled === undefined && !filterLike(token.text)) {
      return fail("commands.errors.digestSwitch", { value: token.text });
    } else {
      return unexpected(token, args);
    }
  }
  if (enabled === undefined && time === undefined) return fail("commands.errors.digestSwitch", { value: "" });
  // A time alone ("digest 08:30") means "on at 08:30".
  return ok(time === undefined ? { kind: "digest", enabled: enabled ?? true } : { kind: "digest", enabled: enabled ?? true, time });
}

/**
 * `quiet 19:00-08:00`, `quiet 7pm-8am`, `quiet from 19:00 to 08:00`, `quiet weekends`,
 * `quiet weekends off`, `quiet off`; `тишина 19:00-08:00`, `тишина выходные`, `тишина выкл`.
 */
export function parseQuiet(args: Args): Outcome<Extract<Command, { kind: "quiet" }>> {
  const times: string[] = [];
  let weekends = false;
  let onOff: boolean | undefined;
  for (const token of args.tokens) {
    // "19:00-08:00" is one word; "19:00 - 08:00" and "с 19:00 до 08:00" are several.
    for (const part of token.text.split(/[-–—]/u).filter(Boolean)) {
      const word = bare(part);
      if (/\d/.test(word)) {
        const time = timeOfDay(word);
        if (time === undefined || times.length === 2) return fail("commands.errors.quiet", { value: token.text });
        times.push(time);
      } else if (WEEKEND_WORDS.has(word)) {
        weekends = true;
      } else if (SWITCH_WORDS.get(word) !== undefined && onOff === undefined) {
        onOff = SWITCH_WORDS.get(word)!.value;
      } else if (!QUIET_FILLER.has(word)) {
        return filterLike(token.text) ? unexpected(token, args) : fail("commands.errors.quiet", { value: token.text });
      }
    }
  }
  // The same time twice is an empty window: no nightly quiet, as `quiet off` would say.
  if (times.length === 1) return fail("commands.errors.quiet", { value: args.rest });
  const hours = times.length === 2 ? { from: times[0]!, to: times[1]! } : undefined;
  if (hours) return ok(weekends ? { kind: "quiet", hours, weekends: onOff ?? true } : { kind: "quiet", hours });
  if (weekends) return ok({ kind: "quiet", weekends: onOff ?? true });
  if (onOff === false) return ok({ kind: "quiet", off: true });
  return fail("commands.errors.quiet", { value: args.rest });
}

export function parseLang(args: Args): Outcome<Extract<Command, { kind: "lang" }>> {
  const [word, ...extra] = args.tokens.filter((token, i, all) => !(LANG_FILLER.has(bare(token.text)) && i < all.length - 1));
  const locale = word ? LANGUAGE_WORDS.get(bare(word.text)) : undefined;
  if (!locale) return fail("commands.errors.lang", { value: word?.text ?? "" });
  if (extra[0]) return unexpected(extra[0], args);
  return ok({ kind: "lang", locale: locale.value });
}

export function parseSettings(args: Args): Outcome<Extract<Command, { kind: "settings" }>> {
  const extra = args.tokens.find((token) => !LIST_FILLER.has(bare(token.text)));
  return extra ? unexpected(extra, args) : ok({ kind: "settings" });
}

export function parseChanges(args: Args): Outcome<Extract<Command, { kind: "changes" }>> {
  const extra = args.tokens.find((token) => !LIST_FILLER.has(bare(token.text)));
  return extra ? unexpected(extra, args) : ok({ kind: "changes" });
}

/** Words, with "stalled,bounced" split at the commas. */
function splitCommas(tokens: readonly Token[]): string[] {
  return tokens.flatMap((token) => token.text.split(",")).map((word) => word.trim()).filter(Boolean);
}

/** The chosen kinds in the canonical order, each once; "all" gives `whenAll`. */
function kindList(kinds: readonly (AlertKind | "contacts" | "all")[], whenAll: readonly AlertKind[]): AlertKind[] {
  if (kinds.includes("all")) return [...whenAll];
  const wanted = new Set<AlertKind>(kinds.flatMap((kind): AlertKind[] => (kind === "contacts" ? ["bounced_contact", "missing_contact"] : kind === "all" ? [] : [kind])));
  return ALERT_KINDS.filter((kind) => wanted.has(kind));
}

/** "8:30", "08.30", "8am", "9:15pm" → "HH:MM" (24-hour); undefined if not a time of day. */
function timeOfDay(word: string): string | undefined {
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$/.exec(word);
  if (!match || (match[2] === undefined && match[3] === undefined)) return undefined;
  let hours = Number(match[1]);
  const minutes = Number(match[2] ?? "0");
  if (match[3] !== undefined) {
    if (hours < 1 || hours > 12) return undefined;
    hours = (hours % 12) + (match[3] === "pm" ? 12 : 0);
  }
  if (hours > 23 || minutes > 59) return undefined;
  return `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}
