import { webApi } from "@slack/bolt";
import { truncate } from "../../cards/adaptive-card.js";
import { SLACK_LIMITS, toBlockKit, toMrkdwn } from "../../cards/blockkit.js";
import type { Logger } from "../../log.js";
import type { ChannelPort, Destination, OutgoingMessage, SendOutcome } from "../../protocol/port.js";

type WebClient = InstanceType<typeof webApi.WebClient>;

/**
 * Slack's answers that no retry will change: the channel is gone or closed to the bot, the
 * person is deactivated or not in the workspace, the message cannot be shown or edited.
 * Everything else (5xx, network, timeouts, unknown errors) is worth another attempt.
 */
const PERMANENT_ERRORS = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "account_inactive",
  "user_not_found",
  "users_not_found",
  "user_disabled",
  "cannot_dm_bot",
  "restricted_action",
  "invalid_blocks",
  "invalid_blocks_format",
  "msg_too_long",
  "no_text",
  "message_not_found",
  "cant_update_message",
  "edit_window_closed",
]);

/** A Web API failure as the outbox needs it: retry or not, and when. */
export function sendFailure(error: unknown): Extract<SendOutcome, { ok: false }> {
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return { ok: false, retryable: true, retryAfterMs: error.retryAfter * 1000, reason: `rate_limited (Retry-After ${error.retryAfter} s)` };
  }
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    return { ok: false, retryable: !PERMANENT_ERRORS.has(code), reason: code };
  }
  if (error instanceof webApi.WebAPIHTTPError) return { ok: false, retryable: true, reason: `http_${error.statusCode}` };
  if (error instanceof webApi.WebAPIRequestError) return { ok: false, retryable: true, reason: `network: ${error.original.message}` };
  return { ok: false, retryable: true, reason: error instanceof Error ? error.message : String(error) };
}

/** The Web API arguments of a card message: Block Kit blocks plus the `text` notifications show. */
export function messageBody(message: OutgoingMessage, maxBlocks?: number): { text: string; blocks: ReturnType<typeof toBlockKit>["blocks"] } {
  const blockKit = toBlockKit(message.card, maxBlocks ? { maxBlocks } : {});
  const fallback = message.fallbackText.trim() ? toMrkdwn(message.fallbackText) : blockKit.text;
  return { text: truncate(fallback, SLACK_LIMITS.text), blocks: blockKit.blocks };
}

export interface SlackPort extends ChannelPort {
  /** The DM channel with a Slack user (conversations.open, remembered). */
  openDm(userId: string): Promise<string>;
  /** Publishes blocks as the person's App Home (views.publish); the listener of app_home_opened and the outbox both use it. */
  publishHome(to: Extract<Destination, { kind: "csm" }>, message: OutgoingMessage): Promise<SendOutcome>;
  publishHomeBlocks(userId: string, blocks: ReturnType<typeof toBlockKit>["blocks"]): Promise<SendOutcome>;
}

/**
 * The delivery side of Slack. Each call is one attempt: the client rejects a 429 at once
 * (`rejectRateLimitedCalls`) and does not retry, so the outbox decides when to try again
 * and paces each channel (about one message per second).
 */
export function createSlackPort(client: WebClient, log: Logger): SlackPort {
  const dmChannels = new Map<string, string>();
  const userIdsByEmail = new Map<string, string>();

  async function userIdFor(email: string): Promise<string> {
    const key = email.trim().toLowerCase();
    let id = userIdsByEmail.get(key);
    if (!id) {
      const found = await client.users.lookupByEmail({ email: key });
      id = found.user?.id;
      if (!id) throw new Error("users.lookupByEmail answered without a user id");
      userIdsByEmail.set(key, id);
    }
    return id;
  }

  async function openDm(userId: string): Promise<string> {
    let channel = dmChannels.get(userId);
    if (!channel) {
      const opened = await client.conversations.open({ users: userId });
      channel = opened.channel?.id;
      if (!channel) throw new Error("conversations.open answered without a channel id");
      dmChannels.set(userId, channel);
    }
    return channel;
  }

  async function channelOf(to: Destination): Promise<string> {
    if (to.kind === "room") return to.address;
    return openDm(to.chatUserId ?? (await userIdFor(to.email)));
  }

  async function publishHomeBlocks(userId: string, blocks: ReturnType<typeof toBlockKit>["blocks"]): Promise<SendOutcome> {
    try {
      const published = await client.views.publish({ user_id: userId, view: { type: "home", blocks } });
      return { ok: true, externalId: published.view?.id ?? userId, conversationId: userId };
    } catch (error) {
      const failure = sendFailure(error);
      log.warn({ userId, reason: failure.reason, retryable: failure.retryable, retryAfterMs: failure.retryAfterMs }, "slack views.publish failed");
      return failure;
    }
  }

  return {
    channel: "slack",
    openDm,
    publishHomeBlocks,

    async publishHome(to, message) {
      try {
        const userId = to.chatUserId ?? (await userIdFor(to.email));
        return await publishHomeBlocks(userId, messageBody(message, SLACK_LIMITS.homeBlocks).blocks);
      } catch (error) {
        return sendFailure(error);
      }
    },

    async send(to, message) {
      try {
        const channel = message.thread?.conversationId ?? (await channelOf(to));
        const thread = message.thread ? { thread_ts: message.thread.parentId } : {};
        const posted = await client.chat.postMessage({ channel, ...thread, ...messageBody(message), unfurl_links: false, unfurl_media: false });
        if (!posted.ts) return { ok: false, retryable: true, reason: "chat.postMessage answered without a ts" };
        const conversationId = posted.channel ?? channel;
        const file = message.attachment;
        // One message to the outbox: if the upload fails, the retry posts the card again with it.
        if (file) await client.filesUploadV2({ channel_id: conversationId, file: Buffer.from(file.bytes), filename: file.name, title: file.name, initial_comment: file.comment });
        return { ok: true, externalId: posted.ts, conversationId };
      } catch (error) {
        const failure = sendFailure(error);
        log.warn({ destination: to.kind === "room" ? to.address : `csm:${to.csmId}`, reason: failure.reason, retryable: failure.retryable, retryAfterMs: failure.retryAfterMs }, "slack send failed");
        return failure;
      }
    },

    async replace(conversationId, externalId, message) {
      try {
        // Always with blocks: chat.update with `text` alone would strip the card. The ts stays, so its thread does too.
        const updated = await client.chat.update({ channel: conversationId, ts: externalId, ...messageBody(message) });
        return { ok: true, externalId: updated.ts ?? externalId, conversationId: updated.channel ?? conversationId };
      } catch (error) {
        const failure = sendFailure(error);
        log.warn({ conversationId, ts: externalId, reason: failure.reason, retryable: failure.retryable }, "slack chat.update failed");
        return failure;
      }
    },
  };
}
