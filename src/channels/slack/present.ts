import { randomUUID } from "node:crypto";
import type { RespondFn } from "@slack/bolt";
import { SLACK_LIMITS, toBlockKit, toModal, type BlockKitMessage, type View } from "../../cards/blockkit.js";
import { escapeMrkdwn } from "../../cards/escape.js";
import { renderCard } from "../../cards/render.js";
import { translator } from "../../i18n.js";
import type { Logger } from "../../log.js";
import { presentEach, type EffectPresenters } from "../../protocol/channel.js";
import type { Outcome } from "../../protocol/effects.js";
import type { ActionName } from "../../protocol/envelope.js";
import type { SlackPort } from "./port.js";
import { messageText, renderBlockKit } from "./render.js";

/**
 * Effects → Slack calls. Answers are ephemeral (only the person sees them): in the thread of
 * the alert card a click came from (viaCardThread), else through the request's response_url,
 * or posted in the DM; paging rewrites the list it came from.
 * Alert cards are not touched here: the pipeline queued their redraw in the outbox, and the
 * dispatcher rewrites every copy (the clicked one first) with chat.update.
 */

/** How an answer reaches the person: `ephemeral` adds a message only they see, `replace` rewrites the one clicked. */
export type Placement = "ephemeral" | "replace";
export type Reply = (message: BlockKitMessage, placement: Placement) => Promise<void>;

/** Where each action's answer goes: paging rewrites the list in place, the rest add a receipt. */
export const REPLY_PLACEMENT: Record<ActionName, Placement> = {
  "rec.act": "ephemeral",
  "contact.update": "ephemeral",
  "usecase.assign": "ephemeral",
  "alert.snooze": "ephemeral",
  "alert.note": "ephemeral",
  // The card comes through the outbox; only a refusal answers here.
  "alert.show": "ephemeral",
  "list.page": "replace",
  // Only a refusal answers a form opening (the form itself is a modal).
  "form.open": "ephemeral",
  // The page itself is published as the Home view; only a refusal or an error is an answer.
  "home.open": "ephemeral",
  "settings.lang": "ephemeral",
  "settings.digest": "ephemeral",
  "settings.unsubscribe": "ephemeral",
};

/** Where an outcome is presented: how to answer, where the first answer goes, and (after a click) how to open a modal. */
export interface SlackWhere {
  reply: Reply;
  placement: Placement;
  /** views.open with the click's trigger_id; absent where there is no click (a form is then posted as a card). */
  openModal?: (view: View) => Promise<void>;
  /** views.publish of the person's App Home; absent: a Home page is answered as a card. */
  publishHome?: (message: BlockKitMessage) => Promise<void>;
  /** files.uploadV2 into the person's DM (a file holds data the channel may not see), or where they asked for a file meant for it (`here`), answering the conversation it went to; absent: only its comment is answered. */
  upload?: (file: SlackFile) => Promise<string>;
  /** The conversation the person wrote in: a file uploaded to another (their DM) is announced here. */
  conversation?: string;
  /** An answer only the person sees, where `reply` is read by the channel (a mention's thread); absent: `reply`. */
  tellPrivately?: Reply;
}

/** A file to upload, with its comment already in the reader's language. */
export interface SlackFile {
  name: string;
  bytes: Uint8Array;
  comment: string;
  /** Into the conversation it was asked in, not the DM. */
  here?: boolean;
}

interface Collected {
  messages: BlockKitMessage[];
  modals: View[];
  homes: BlockKitMessage[];
  files: SlackFile[];
}

const PRESENTERS: EffectPresenters<Collected, { outcome: Outcome; now: Date; where: SlackWhere }> = {
  reply: (effect, into, { outcome, now }) => {
    into.messages.push(renderBlockKit(effect.card, { locale: outcome.locale, timeZone: outcome.timeZone, now }));
  },
  // A form card is a modal of its own; an alert card's inline form is the modal its button opens.
  form: (effect, into, { outcome, now, where }) => {
    const ctx = { locale: outcome.locale, timeZone: outcome.timeZone, now };
    if (!where.openModal) return void into.messages.push(renderBlockKit(effect.card, ctx));
    const adaptive = renderCard(effect.card.card, effect.card.view as never, ctx);
    const options = { cancelLabel: translator(ctx.locale)("cards.button.cancel") };
    const modal = effect.card.card.startsWith("form.") ? toModal(adaptive, options) : Object.values(toBlockKit(adaptive, options).modals).find((m) => m.callback_id === effect.submits);
    if (modal) into.modals.push(modal);
    else into.messages.push(renderBlockKit(effect.card, ctx));
  },
  home: (effect, into, { outcome, now, where }) => {
    const message = renderBlockKit(effect.card, { locale: outcome.locale, timeZone: outcome.timeZone, now }, SLACK_LIMITS.homeBlocks);
    (where.publishHome ? into.homes : into.messages).push(message);
  },
  file: (effect, into, { outcome, now, where }) => {
    // initial_comment is mrkdwn: our own words as they are, a ready text is data and escaped (as Webex does).
    const comment = "key" in effect.comment ? messageText(effect.comment, outcome.locale) : escapeMrkdwn(effect.comment.text);
    if (where.upload) into.files.push({ name: effect.name, bytes: effect.bytes, comment, ...(effect.here ? { here: true } : {}) });
    else into.messages.push(renderBlockKit({ card: "notice", view: { tone: "info", text: effect.comment } }, { locale: outcome.locale, timeZone: outcome.timeZone, now }));
  },
  // Queued by the pipeline as refresh rows: the dispatcher redraws every card of the alert.
  refreshAlert: () => undefined,
  // Shown inside the modal (see the view_submission listener, `modalErrors`); where there is
  // no modal, the handler's accompanying notice says the same.
  fieldErrors: () => undefined,
};

export function createSlackPresenter(options: {
  port: SlackPort;
  postMessage: (channel: string, message: BlockKitMessage, threadTs?: string) => Promise<void>;
  /** chat.postEphemeral: a message only `user` sees, in the thread of `threadTs` if given. */
  postEphemeral: (channel: string, user: string, message: BlockKitMessage, threadTs?: string) => Promise<void>;
  now: () => Date;
  log: Logger;
}) {
  const { port, log } = options;

  const viaRespond = (respond: RespondFn): Reply => async (message, placement) => {
    await respond({ response_type: "ephemeral", replace_original: placement === "replace", text: message.text, blocks: message.blocks });
  };

  const viaPost = (channel: string): Reply => async (message) => options.postMessage(channel, message);

  /** Posted in a thread for the conversation to read: the answer to a mention in a channel. */
  const viaThread = (channel: string, threadTs: string): Reply => async (message) => options.postMessage(channel, message, threadTs);

  /** A modal's answer: to the response_url of the click that opened it, else in the DM. */
  const viaResponseUrl = (url: string | undefined, userId: string): Reply => async (message, placement) => {
    if (url) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ response_type: "ephemeral", replace_original: placement === "replace", text: message.text, blocks: message.blocks }),
      }).catch((error: unknown) => error as Error);
      if (!(response instanceof Error) && response.ok) return;
      log.info({ status: response instanceof Error ? response.message : response.status }, "slack response_url refused the answer; sending it in the DM");
    }
    await viaPost(await port.openDm(userId))(message, "ephemeral");
  };

  async function present(outcome: Outcome, where: SlackWhere): Promise<void> {
    const { messages: replies, modals, homes, files } = await presentEach(PRESENTERS, outcome.effects, { messages: [], modals: [], homes: [], files: [] } as Collected, { outcome, now: options.now(), where });
    // One modal per click (a trigger_id opens one view).
    if (modals[0] && where.openModal) await where.openModal(modals[0]);
    for (const home of homes) await where.publishHome?.(home);
    for (const [i, message] of replies.entries()) {
      // One answer that cannot be delivered (an expired response_url…) must not stop the others.
      await where.reply(message, i === 0 ? where.placement : "ephemeral").catch((error: unknown) => log.warn({ err: error }, "slack: could not deliver an answer"));
    }
    for (const file of files) {
      try {
        const wentTo = await where.upload!(file);
        // Asked in a channel: the file went to the DM, and the channel hears only that (no data).
        if (where.conversation && where.conversation !== wentTo) {
          // A file meant for the conversation (the team chart) lands in the DM only when the bot may not post there.
          const key = file.here ? "chat.team.inYourDm" : "chat.changes.inYourDm";
          const note = renderBlockKit({ card: "notice", view: { tone: "info", text: { key } } }, { locale: outcome.locale, timeZone: outcome.timeZone, now: options.now() });
          await (where.tellPrivately ?? where.reply)(note, "ephemeral").catch((e: unknown) => log.warn({ err: e }, "slack: could not deliver an answer"));
        }
      } catch (error) {
        // The person asked for it and waits: say it failed, with a reference in the log.
        const ref = randomUUID().slice(0, 8);
        log.error({ err: error, ref, file: file.name }, "slack: files.uploadV2 failed");
        const failed = renderBlockKit({ card: "notice", view: { tone: "error", text: { key: "chat.errors.internal", params: { ref } } } }, { locale: outcome.locale, timeZone: outcome.timeZone, now: options.now() });
        await where.reply(failed, "ephemeral").catch((e: unknown) => log.warn({ err: e }, "slack: could not deliver an answer"));
      }
    }
  }

  /**
   * The answer to a click on an alert card: in the card's thread, next to its reminders and
   * the notices of changes, seen only by the person who clicked (chat.postEphemeral, in a DM
   * as in a channel). A paging answer still rewrites its list; if Slack refuses the
   * ephemeral post, the answer goes the way it would have without a thread.
   */
  const viaCardThread = (thread: { channel: string; threadTs: string }, userId: string, otherwise: Reply): Reply => async (message, placement) => {
    if (placement === "replace") return otherwise(message, placement);
    try {
      await options.postEphemeral(thread.channel, userId, message, thread.threadTs);
    } catch (error) {
      log.info({ err: error, channel: thread.channel }, "slack chat.postEphemeral refused the answer in the card's thread; answering as before");
      await otherwise(message, placement);
    }
  };

  /** Only `user` sees it, in the channel (and thread) they wrote in. */
  const viaEphemeral = (channel: string, user: string, threadTs?: string): Reply => async (message) => options.postEphemeral(channel, user, message, threadTs);

  return { present, viaRespond, viaPost, viaThread, viaResponseUrl, viaCardThread, viaEphemeral };
}

/** Field errors the modal can show next to its inputs (by block id), in the reader's language. */
export function modalErrors(outcome: Outcome, inputIds: ReadonlySet<string>): Record<string, string> | undefined {
  const errors: Record<string, string> = {};
  for (const effect of outcome.effects) {
    if (effect.type !== "fieldErrors") continue;
    for (const [field, message] of Object.entries(effect.errors)) if (inputIds.has(field)) errors[field] = messageText(message, outcome.locale);
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}
