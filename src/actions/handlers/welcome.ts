import { commandKeyword } from "../../commands/parse.js";
import type { Config } from "../../config.js";
import type { Locale } from "../../locale.js";
import { reply, type Effect } from "../../protocol/effects.js";
import type { SendChat } from "../../protocol/chats.js";
import type { WelcomeView } from "../../protocol/views.js";
import type { CommandStyle, HandlerContext } from "./context.js";

/** The space the bot was just added to, as the chat reports it. */
export interface JoinedSpace {
  chat: SendChat;
  /** The space's address on that chat (a Webex roomId, a Slack channel id): what TEAM_SPACES names. */
  address: string;
  /** A space for several people (a Webex group space, a Slack channel), not a 1:1 one. */
  group: boolean;
}

/** The greeting's view: for a CSM of the partner, or (`serves: false`) for anyone else. */
export function welcomeView(config: Config, style: CommandStyle, locale: Locale, space: JoinedSpace, serves: boolean): WelcomeView {
  const team = config.teamSpaces.find((s) => s.channel === space.chat && s.address === space.address);
  return {
    partner: config.partner.name,
    help: `${style.prefix}${commandKeyword("help", locale)}`,
    serves,
    ...(serves && space.group ? { teamSpace: team?.name ?? null } : {}),
  };
}

/** A CSM added the bot to a space: who it is, what it will send there, and how to ask for help, in the CSM's language. */
export async function welcome(ctx: HandlerContext, space: JoinedSpace): Promise<Effect[]> {
  return [reply({ card: "welcome", view: welcomeView(ctx.config, ctx.style, ctx.actor.locale, space, true) })];
}
