import { notice, reply, type Effect } from "../../protocol/effects.js";
import type { Message } from "../../protocol/views.js";
import { receiptSubject } from "./alerts.js";
import { authorOf, type Handler } from "./context.js";

/** "Add note" on an alert card: a note in the audit trail, nothing else changed. */

/** The longest note, in characters (code points) after trimming. */
export const NOTE_MAX_CHARACTERS = 1000;

/**
 * A note as it is kept: line breaks made "\n", other control characters and invisible
 * direction marks dropped (they could disguise the text in a chat), lone surrogates replaced,
 * spaces trimmed. Everything else is kept as typed; each output escapes it for its format.
 */
export function cleanNote(text: string | undefined): string {
  return (text ?? "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu, "\uFFFD")
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, "")
    .trim();
}

/** A refusal next to the note field (Slack's modal, the preview) and as a notice (Webex). */
function refused(message: Message): Effect[] {
  return [{ type: "fieldErrors", errors: { note: message } }, notice("error", message)];
}

export const addNote: Handler<"alert.note"> = async (ctx, e) => {
  const note = cleanNote(e.note);
  if (!note) return refused({ key: "chat.errors.noteEmpty" });
  const length = [...note].length;
  if (length > NOTE_MAX_CHARACTERS) return refused({ key: "chat.errors.noteTooLong", params: { max: NOTE_MAX_CHARACTERS, length } });
  const author = authorOf(ctx.actor);
  const found = await ctx.store.transaction(async (tx) => {
    // Locked only to know it exists; a note changes neither its state nor its version, so
    // a note on an older card (or a resolved alert) is kept too: it is history, not a step.
    const alert = await tx.lockAlert(e.id);
    if (!alert) return false;
    await tx.audit({ author, action: "alert.note", entity: "alert", entityId: alert.id, before: undefined, after: { note } });
    return true;
  });
  if (!found) return [notice("error", { key: "chat.errors.notFound" })];
  return [reply({ card: "receipt", view: { outcome: { key: "noteAdded" }, actorName: ctx.actor.name, at: ctx.now().toISOString(), subject: await receiptSubject(ctx, e.id), comment: note } })];
};
