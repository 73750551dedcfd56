/** The commands that look one thing up: help on a command, a customer, a use case. */
import { KEYWORDS, commandWord, unknownCommand } from "./parse-keywords.js";
import { fail, ok, unexpected, type Args, type Outcome } from "./parse-arguments.js";
import { bare, CUSTOMER_LEAD, DEPLOYMENT_ID_WITH_LETTERS, HELP_FILLER, HISTORY_LEAD, USECASE_FILLER } from "./parse-vocabulary.js";
import { unquote } from "./text.js";
import type { Command } from "./types.js";

export function parseHelp({ tokens }: Args): Outcome<Extract<Command, { kind: "help" }>> {
  const word = tokens.find((token) => !HELP_FILLER.has(bare(token.text)));
  if (!word) return ok({ kind: "help" });
  const topic = KEYWORDS.get(commandWord(word.text));
  if (!topic) return unknownCommand(word.text);
  return ok({ kind: "help", topic: topic.name });
}

export function parseCustomer({ tokens, rest }: Args): Outcome<Extract<Command, { kind: "customer" }>> {
  // "customer named Acme", "заказчик по имени Acme": the words before the name say nothing.
  const lead = tokens.findIndex((token) => !CUSTOMER_LEAD.has(bare(token.text)));
  const from = lead > 0 ? rest.slice(tokens[lead]!.start - tokens[0]!.start) : rest;
  const query = unquote(from).replace(/\s+/gu, " ").replace(/[?!…]+$/u, "").trim();
  if (!query) return fail("commands.errors.customerQuery");
  return ok({ kind: "customer", query });
}

/**
 * `usecase <number>` (the internal number, as before), or the use case as a card names it:
 * `usecase DPL101X431 Campus Network Automation`, `usecase DPL101X431 "Campus Network
 * Automation"`, `usecase DPL101X431` (when that deployment has one use case), also with
 * `№12`, `#12`, `number 12`. The query layer resolves a Deployment ID and name.
 */
export function parseUseCase(args: Args): Outcome<Extract<Command, { kind: "usecase" }>> {
  const words = args.tokens.filter((token) => token.quoted || !USECASE_FILLER.has(bare(token.text)));
  const [first, ...extra] = words;
  if (!first) return fail("commands.errors.usecaseId", { value: "" });
  const designation = first.text.replace(/^(?:№|#)/u, "").replace(/[.,;!?]+$/u, "");
  if (/^\d+$/.test(designation)) {
    const id = Number(designation);
    if (!(Number.isSafeInteger(id) && id > 0)) return fail("commands.errors.usecaseId", { value: first.text });
    if (extra[0]) return unexpected(extra[0], args);
    return ok({ kind: "usecase", id });
  }
  const at = words.findIndex((token) => !token.quoted && DEPLOYMENT_ID_WITH_LETTERS.test(token.text.toUpperCase().replace(/[.,;!?]+$/u, "")));
  if (at < 0) return fail("commands.errors.usecaseId", { value: first.text });
  const deploymentId = words[at]!.text.toUpperCase().replace(/[.,;!?]+$/u, "");
  const name = [...words.slice(0, at), ...words.slice(at + 1)].map((token) => token.text).join(" ").replace(/\s+/gu, " ").replace(/[.,;]+$/u, "").trim();
  return ok(name ? { kind: "usecase", deploymentId, name: unquote(name) } : { kind: "usecase", deploymentId });
}

/**
 * `history <Deployment ID | customer>`: `history DPL101X431`, `history of customer Acme`,
 * `история DPL101X431`, `история заказчика Acme`, `история по 100200`. The words before the
 * subject say nothing; a subject of letters and digits is also tried as a Deployment ID.
 */
export function parseHistory({ tokens, rest }: Args): Outcome<Extract<Command, { kind: "history" }>> {
  const lead = tokens.findIndex((token) => token.quoted || !HISTORY_LEAD.has(bare(token.text)));
  if (lead < 0) return fail("commands.errors.historyQuery");
  const from = lead > 0 ? rest.slice(tokens[lead]!.start - tokens[0]!.start) : rest;
  const query = unquote(from).replace(/\s+/gu, " ").replace(/[?!…]+$/u, "").trim();
  if (!query) return fail("commands.errors.historyQuery");
  const single = tokens.length - lead === 1 ? query.toUpperCase().replace(/^(?:№|#)/u, "").replace(/[.,;!?]+$/u, "") : "";
  return ok(DEPLOYMENT_ID_WITH_LETTERS.test(single) ? { kind: "history", query, deploymentId: single } : { kind: "history", query });
}
