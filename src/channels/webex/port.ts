import type { Logger } from "../../log.js";
import type { ChannelPort, Destination, OutgoingMessage, SendOutcome } from "../../protocol/port.js";
import { postCard, postFile, replaceMessage, sendFailure, statusOf, type Messages, type Where } from "./messages.js";

/**
 * Webex threads are one level deep: a card that now lives inside its thread (a reposted
 * state, see replace) is answered under that thread's root.
 */
async function threadOf(messages: Messages, thread: NonNullable<OutgoingMessage["thread"]>): Promise<Where> {
  const parent = await messages.get(thread.parentId);
  return { roomId: parent.roomId ?? thread.conversationId, parentId: parent.parentId ?? parent.id };
}

const NOT_STARTED: SendOutcome = { ok: false, retryable: true, reason: "the Webex channel has not started yet" };

/**
 * The outbox's way into Webex. A CSM is reached in their 1:1 space with the bot, which
 * Webex creates on the first message posted with `toPersonEmail`; a team space by its
 * roomId. Every call answers with an outcome, never throws: the dispatcher decides retries.
 * `messages` is the SDK's messages API once the channel has started.
 */
export function createWebexPort(options: { messages: () => Messages | undefined; log: Logger }): ChannelPort {
  const { log } = options;

  return {
    channel: "webex",

    async send(to: Destination, message: OutgoingMessage): Promise<SendOutcome> {
      const messages = options.messages();
      if (!messages) return NOT_STARTED;
      try {
        const where: Where = message.thread ? await threadOf(messages, message.thread) : to.kind === "csm" ? { toPersonEmail: to.email } : { roomId: to.address };
        const sent = await postCard(messages, where, message);
        const file = message.attachment;
        // Webex takes a card or a file per message: the file follows in the same space (a failed one is retried with its card).
        if (file) await postFile(messages, { roomId: sent.roomId }, { name: file.name, mediaType: file.mediaType, bytes: file.bytes, markdown: file.comment });
        return { ok: true, externalId: sent.id, conversationId: sent.roomId };
      } catch (error) {
        const failure = sendFailure(error);
        log.warn({ destination: to.kind === "csm" ? `csm:${to.csmId}` : to.address, reason: failure.reason, retryable: failure.retryable }, "webex: send failed");
        return failure;
      }
    },

    async replace(conversationId: string, externalId: string, message: OutgoingMessage): Promise<SendOutcome> {
      const messages = options.messages();
      if (!messages) return NOT_STARTED;
      try {
        // The old message tells the thread to keep; if it is gone already, the card is shown anew.
        const old = await messages.get(externalId).catch((error: unknown) => {
          if (statusOf(error) === 404) return { id: externalId, roomId: conversationId, gone: true as const };
          throw error;
        });
        if ("gone" in old) {
          const sent = await postCard(messages, { roomId: conversationId }, message);
          return { ok: true, externalId: sent.id, conversationId: sent.roomId };
        }
        // A card that heads a thread stays where it is (its replies would lose their parent):
        // the new state goes inside the thread; the old card's buttons are version-guarded.
        if (message.thread && !old.parentId) {
          const sent = await postCard(messages, { roomId: old.roomId, parentId: old.id }, message);
          return { ok: true, externalId: sent.id, conversationId: sent.roomId };
        }
        const replaced = await replaceMessage(messages, old, message);
        if (replaced.deleteError) log.warn({ err: replaced.deleteError, roomId: conversationId, messageId: externalId }, "webex: posted the new card but could not delete the old one");
        return { ok: true, externalId: replaced.message.id, conversationId: replaced.message.roomId };
      } catch (error) {
        const failure = sendFailure(error);
        log.warn({ roomId: conversationId, messageId: externalId, reason: failure.reason, retryable: failure.retryable }, "webex: replace failed");
        return failure;
      }
    },
  };
}
