import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { escapeWebexMarkdown } from "../../cards/escape.js";
import { translator } from "../../i18n.js";
import { fallbackText, renderCard, type RenderContext } from "../../cards/render.js";
import type { MessageKey } from "../../i18n.js";
import type { Logger } from "../../log.js";
import { presentEach, type EffectPresenters } from "../../protocol/channel.js";
import type { AnyCard, Effect, Outcome } from "../../protocol/effects.js";
import type { OutgoingMessage } from "../../protocol/port.js";
import type { Message } from "../../protocol/views.js";
import { postCard, postFile, sendFailure, type Messages, type Where } from "./messages.js";

/**
 * Effects → Webex messages. Replies go to the space the person wrote in (in a thread in
 * group spaces), rendered in the Outcome's language. Alert cards are not touched here: the
 * pipeline queued their redraw in the outbox, and the dispatcher reposts every copy (the
 * clicked one first), since Webex cannot edit a message with a card.
 */

/** The label a form field has on the cards, for "fieldErrors" replies. */
const FIELD_LABELS: Record<string, MessageKey> = {
  email: "cards.label.email",
  name: "cards.label.contactName",
  slot: "cards.label.slot",
  act: "cards.label.actionField",
  comment: "cards.label.comment",
  to: "cards.label.assignTo",
  days: "cards.label.snoozeFor",
  note: "cards.label.note",
};

interface Collected {
  fieldNotices: AnyCard[];
  fieldMessages: Message[];
  replies: AnyCard[];
  files: Extract<Effect, { type: "file" }>[];
}

const PRESENTERS: EffectPresenters<Collected> = {
  reply: (effect, into) => void into.replies.push(effect.card),
  // Webex has no form to show errors in: each field error is a notice naming the field.
  fieldErrors: (effect, into) => {
    for (const [field, message] of Object.entries(effect.errors)) {
      into.fieldMessages.push(message);
      const label = FIELD_LABELS[field];
      into.fieldNotices.push({ card: "notice", view: { tone: "error", title: label ? { key: label } : { text: field }, text: message } });
    }
  },
  // Queued by the pipeline as refresh rows: the dispatcher redraws every card of the alert.
  refreshAlert: () => undefined,
  // Webex cards hold their forms inline: the card is the form.
  form: (effect, into) => void into.replies.push(effect.card),
  // Webex has no Home page of its own: the page is shown as a card in the conversation.
  home: (effect, into) => void into.replies.push(effect.card),
  // Posted after the cards, as a message with the file attached.
  file: (effect, into) => void into.files.push(effect),
};

/** The cards to answer with: field errors first, then the replies, a notice already said by a field error left out. */
export async function replyCards(outcome: Outcome): Promise<AnyCard[]> {
  return (await collect(outcome)).cards;
}

async function collect(outcome: Outcome): Promise<{ cards: AnyCard[]; files: Collected["files"] }> {
  const into = await presentEach(PRESENTERS, outcome.effects, { fieldNotices: [], fieldMessages: [], replies: [], files: [] } as Collected, undefined);
  const said = new Set(into.fieldMessages.map((m) => JSON.stringify(m)));
  const saidAlready = (card: AnyCard): boolean => card.card === "notice" && said.has(JSON.stringify(card.view.text));
  return { cards: [...into.fieldNotices, ...into.replies.filter((card) => !saidAlready(card))], files: into.files };
}

export function render(card: AnyCard, ctx: RenderContext): OutgoingMessage {
  const rendered = renderCard(card.card, card.view, ctx);
  return { card: rendered, fallbackText: fallbackText(rendered) };
}

/** A short wait is worth it while a person looks at the space; longer ones are given up (and logged). */
const MAX_INLINE_WAIT_MS = 10_000;
const ATTEMPTS = 3;

async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const failure = sendFailure(error);
      const wait = failure.retryAfterMs ?? 500 * 3 ** (attempt - 1);
      if (!failure.retryable || attempt >= ATTEMPTS || wait > MAX_INLINE_WAIT_MS) throw error;
      await delay(wait);
    }
  }
}

/** Posts the reply cards of an outcome, in order, in its reader's language, where the question was asked. */
export function createWebexPresenter(options: { messages: () => Messages; now: () => Date; log: Logger }) {
  /**
   * `privately`: where a file goes instead (the person's 1:1 space when they asked in a group
   * space: a file may hold what the space must not read), unless it is meant for the space (`here`).
   */
  return async function present(outcome: Outcome, where: Where, privately?: Where): Promise<void> {
    const ctx = { locale: outcome.locale, timeZone: outcome.timeZone, now: options.now() };
    const { cards, files } = await collect(outcome);
    for (const card of cards) {
      try {
        await withRetries(() => postCard(options.messages(), where, render(card, ctx)));
      } catch (error) {
        options.log.error({ err: error, card: card.card, reason: sendFailure(error).reason }, "webex: could not post a reply");
      }
    }
    for (const file of files) {
      // Our own words (numbers for parameters) are markdown already; a ready text is data and escaped.
      const markdown = "key" in file.comment ? translator(ctx.locale)(file.comment.key, file.comment.params) : escapeWebexMarkdown(file.comment.text);
      try {
        const to = file.here ? where : (privately ?? where);
        await withRetries(() => postFile(options.messages(), to, { name: file.name, mediaType: file.mediaType, bytes: file.bytes, markdown }));
        // Asked in a group space: the space hears only where the file went (no data), in the thread asked in.
        if (to !== where) {
          await withRetries(() => postCard(options.messages(), where, render({ card: "notice", view: { tone: "info", text: { key: "chat.changes.inYourDm" } } }, ctx))).catch((e: unknown) =>
            options.log.error({ err: e, reason: sendFailure(e).reason }, "webex: could not say where the file went"),
          );
        }
      } catch (error) {
        // The person asked for it and waits: say it failed, with a reference in the log.
        const ref = randomUUID().slice(0, 8);
        options.log.error({ err: error, ref, file: file.name, reason: sendFailure(error).reason }, "webex: could not post a file");
        await postCard(options.messages(), where, render({ card: "notice", view: { tone: "error", text: { key: "chat.errors.internal", params: { ref } } } }, ctx)).catch((e: unknown) =>
          options.log.error({ err: e, ref }, "webex: could not say the file failed"),
        );
      }
    }
  };
}
