import type { ChatIdentity } from "../../actions/identity.js";
import { actionsOf, walkCards, type AdaptiveCard } from "../../cards/adaptive-card.js";
import { shownAlert } from "../../protocol/envelope.js";
import type { WebexMessage, WebexPerson } from "./sdk.js";

/**
 * From what Webex says to what the pipeline takes: who is talking, what they typed, which
 * alert a clicked card shows.
 */

/**
 * The person as the pipeline identifies them. Webex returns the email the account signed
 * up with and verified; an account whose invitation is still pending has not proven it.
 */
export function identityOf(person: WebexPerson): ChatIdentity {
  const email = person.emails?.[0]?.trim() || null;
  return {
    channel: "webex",
    userId: person.id,
    email,
    emailVerified: email !== null && person.type !== "bot" && person.invitePending !== true,
    platformLocale: null,
  };
}

/** Whether a message in a group space is addressed to the bot (an @mention of it, or of everyone). */
export function mentionsBot(message: Pick<WebexMessage, "mentionedPeople" | "html">, botId: string): boolean {
  if (message.mentionedPeople?.includes(botId)) return true;
  return /<spark-mention[^>]*data-group-type="all"/i.test(message.html ?? "");
}

const MENTION = /<spark-mention([^>]*)>(.*?)<\/spark-mention>/gis;

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/**
 * The command in a message: in a group space, the text without the @mention of the bot
 * (the clients put the bot's name, or a part of it, in the text). The mention's words are
 * taken from the message's HTML when there is one, else the bot's names are tried.
 */
export function commandText(message: Pick<WebexMessage, "text" | "html">, bot: Pick<WebexPerson, "id" | "displayName" | "nickName">, isGroup: boolean): string {
  let text = (message.text ?? "").replace(/\s+/g, " ").trim();
  if (!isGroup) return text;
  const mentioned: string[] = [];
  for (const match of (message.html ?? "").matchAll(MENTION)) {
    const attributes = match[1] ?? "";
    if (attributes.includes(`data-object-id="${bot.id}"`) || /data-group-type="all"/i.test(attributes)) {
      mentioned.push(decodeEntities((match[2] ?? "").replace(/<[^>]+>/g, "")).trim());
    }
  }
  if (mentioned.length === 0) {
    const names = [bot.displayName, bot.nickName, bot.displayName?.split(" ")[0]].filter((n): n is string => !!n);
    const lead = names.find((name) => text.toLowerCase().startsWith(name.toLowerCase()));
    if (lead) mentioned.push(lead);
  }
  for (const words of mentioned) {
    const at = text.toLowerCase().indexOf(words.toLowerCase());
    if (words && at >= 0) text = `${text.slice(0, at)} ${text.slice(at + words.length)}`;
  }
  return text.replace(/^[\s@,:]+/, "").replace(/\s+/g, " ").trim();
}

/**
 * The alert a card shows, read from its own buttons: an alert card carries the alert id in
 * its "Snooze" submit and in "Assign to me" (`al`). A summary lists several: the one whose
 * button was clicked (`clicked`: the submit's data), with `many` set. Other cards (lists,
 * use-case details, digests) show no single alert and are answered in their thread instead
 * of replaced.
 */
export function shownAlertId(card: AdaptiveCard | undefined, clicked?: unknown): { alertId: number; many: boolean } | undefined {
  if (!card) return undefined;
  const buttons = [...walkCards(card)].flatMap(({ card: nested }) => actionsOf(nested).flatMap((action) => (action.type === "Action.Submit" && action.data ? [action.data] : [])));
  return shownAlert(buttons, clicked);
}
