import { parseCommand } from "../../commands/parse.js";
import type { Command } from "../../commands/types.js";
import type { Envelope } from "../../protocol/envelope.js";
import { notice, type Effect } from "../../protocol/effects.js";
import { showAlertCard, snoozeAlert, takeRecommendedAction } from "./alerts.js";
import { assignButton, assignCommand } from "./assign.js";
import { changes } from "./changes.js";
import { team } from "./team.js";
import { updateContact } from "./contacts.js";
import { openForm } from "./forms.js";
import { addNote } from "./notes.js";
import { openHome, setDigest, setLanguage, unsubscribeKind } from "./home.js";
import type { Handler, HandlerContext, HandlerInputs, HandlerName } from "./context.js";
import { addedRecently, contactProblems, customer, help, history, mine, stalled, useCase } from "./lists.js";
import { digest, lang, quiet, settings, subscribe, unsubscribe } from "./settings.js";

/** Paging re-runs the list command the card came from, at the page asked for. */
const listPage: Handler<"list.page"> = async (ctx, e) => {
  const parsed = parseCommand(e.q);
  if (!parsed.ok || !("page" in parsed.command)) return [notice("error", { key: "chat.errors.malformed" })];
  return runCommand(ctx, { ...parsed.command, page: e.id }, e.q);
};

/** One handler per command and card action: a missing one fails the type check, not a user's click. */
export const HANDLERS: { [N in HandlerName]: Handler<N> } = {
  help,
  stalled,
  new: addedRecently,
  contacts: contactProblems,
  mine,
  customer,
  usecase: useCase,
  history,
  assign: assignCommand,
  subscribe,
  unsubscribe,
  digest,
  lang,
  quiet,
  settings,
  changes,
  team,
  "rec.act": takeRecommendedAction,
  "contact.update": updateContact,
  "usecase.assign": assignButton,
  "alert.snooze": snoozeAlert,
  "alert.note": addNote,
  "alert.show": showAlertCard,
  "list.page": listPage,
  "form.open": openForm,
  "home.open": openHome,
  "settings.lang": setLanguage,
  "settings.digest": setDigest,
  "settings.unsubscribe": unsubscribeKind,
};

export function runHandler<N extends HandlerName>(ctx: HandlerContext, name: N, input: HandlerInputs[N]): Promise<Effect[]> {
  return (HANDLERS[name] as Handler<N>)(ctx, input);
}

export function runCommand(ctx: HandlerContext, command: Command, text: string): Promise<Effect[]> {
  return runHandler(ctx, command.kind, { command, text } as HandlerInputs[typeof command.kind]);
}

export function runAction(ctx: HandlerContext, envelope: Envelope): Promise<Effect[]> {
  return runHandler(ctx, envelope.a, envelope as HandlerInputs[typeof envelope.a]);
}
