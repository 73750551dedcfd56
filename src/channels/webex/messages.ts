import type { AdaptiveCard } from "../../cards/adaptive-card.js";
import type { OutgoingMessage, SendOutcome } from "../../protocol/port.js";
import type { WebexMessage, WebexSdk } from "./sdk.js";

export const CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

export type Messages = WebexSdk["messages"];
export type SendFailure = Extract<SendOutcome, { ok: false }>;

/** Where a message goes: a space (optionally a thread in it), or a person's 1:1 space, created by Webex on first use. */
export type Where = { roomId: string; parentId?: string | undefined } | { toPersonEmail: string };

/** A card with its markdown fallback, as Webex takes it (what the framework's bot.sendCard posts). */
export function cardMessage(message: OutgoingMessage): { markdown: string; attachments: { contentType: string; content: AdaptiveCard }[] } {
  return { markdown: message.fallbackText, attachments: [{ contentType: CARD_CONTENT_TYPE, content: message.card }] };
}

export function postCard(messages: Messages, where: Where, message: OutgoingMessage): Promise<WebexMessage> {
  const target = "toPersonEmail" in where ? { toPersonEmail: where.toPersonEmail } : { roomId: where.roomId, ...(where.parentId ? { parentId: where.parentId } : {}) };
  return messages.create({ ...target, ...cardMessage(message) });
}

/** A file attached to a message (multipart `files`), with its markdown comment. */
export function postFile(messages: Messages, where: Where, file: { name: string; mediaType: string; bytes: Uint8Array; markdown: string }): Promise<WebexMessage> {
  const target = "toPersonEmail" in where ? { toPersonEmail: where.toPersonEmail } : { roomId: where.roomId, ...(where.parentId ? { parentId: where.parentId } : {}) };
  return messages.create({ ...target, markdown: file.markdown, files: [{ value: Buffer.from(file.bytes), options: { filename: file.name, contentType: file.mediaType } }] });
}

/** The message that was shown, and whether taking the old one away failed. */
export interface Replaced {
  message: WebexMessage;
  deleteError?: unknown;
}

/**
 * Shows new content in place of a message. Webex cannot edit a message that has a card, so
 * the new one is posted in the same space and thread first, then the old one is deleted:
 * if Webex fails in between, the reader sees the new card (and perhaps the old one too,
 * whose buttons the pipeline's versions guard), never neither.
 */
export async function replaceMessage(messages: Messages, old: Pick<WebexMessage, "id" | "roomId" | "parentId">, message: OutgoingMessage): Promise<Replaced> {
  const posted = await postCard(messages, { roomId: old.roomId, parentId: old.parentId }, message);
  try {
    await messages.remove(old.id);
    return { message: posted };
  } catch (error) {
    return statusOf(error) === 404 ? { message: posted } : { message: posted, deleteError: error };
  }
}

/** The card a Webex message carries, if any. */
export function cardOf(message: Pick<WebexMessage, "attachments">): AdaptiveCard | undefined {
  const attachment = message.attachments?.find((a) => a.contentType === CARD_CONTENT_TYPE);
  const content = attachment?.content as AdaptiveCard | undefined;
  return content && typeof content === "object" && content.type === "AdaptiveCard" ? content : undefined;
}

interface HttpErrorLike {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
  body?: { message?: string };
  retryAfter?: string | number;
  message?: string;
}

/** The HTTP status of an SDK error (0 for a network error), if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as HttpErrorLike | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Retry-After as milliseconds: seconds, or an HTTP date. */
export function retryAfterMs(value: string | number | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Without Retry-After, a 429 waits this long. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/** Statuses that no retry will change: not found (space, person, message), forbidden (bot removed), refused content. */
const PERMANENT = new Map<number, string>([
  [400, "Webex refused the request"],
  [403, "the bot is not allowed in that space (removed from it, or the space is locked)"],
  [404, "the space, person or message does not exist"],
  [409, "conflict"],
  [410, "gone"],
  [413, "the message is too large"],
  [415, "unsupported content"],
  [422, "Webex could not process the message"],
]);

/**
 * A failed Webex call as the outbox needs it: a 429 is retried after its Retry-After;
 * missing spaces and people and a removed bot are permanent; 5xx, network errors and
 * anything unknown are worth another attempt. A refused token (401) is retried too: the
 * fix is a new WEBEX_BOT_TOKEN, and the outbox should not drop the messages meanwhile.
 */
export function sendFailure(error: unknown): SendFailure {
  const status = statusOf(error);
  const e = error as HttpErrorLike | null;
  const detail = e?.body?.message ?? e?.message?.split("\n")[0] ?? String(error);
  if (status === 429) {
    const header = e?.retryAfter ?? e?.headers?.["retry-after"];
    return { ok: false, retryable: true, retryAfterMs: retryAfterMs(header) ?? DEFAULT_RETRY_AFTER_MS, retryAfterCovers: "chat", reason: `webex 429: rate limited (${detail})` };
  }
  if (status !== undefined && PERMANENT.has(status)) return { ok: false, retryable: false, reason: `webex ${status}: ${PERMANENT.get(status)} (${detail})` };
  if (status === 401) return { ok: false, retryable: true, reason: `webex 401: the bot token was refused; check WEBEX_BOT_TOKEN (${detail})` };
  if (status === 0 || status === undefined) return { ok: false, retryable: true, reason: `webex unreachable: ${detail}` };
  return { ok: false, retryable: true, reason: `webex ${status}: ${detail}` };
}
