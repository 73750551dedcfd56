import type { Command, CommandName } from "../../commands/types.js";
import type { Config } from "../../config.js";
import type { Effect } from "../../protocol/effects.js";
import type { ActionName, Envelope } from "../../protocol/envelope.js";
import type { Logger } from "../../log.js";
import type { Actor } from "../identity.js";
import type { Author, Reads, Store } from "../../protocol/store.js";

/** How the platform shows commands: "stalled" in Webex, "/lca stalled" in Slack. */
export interface CommandStyle {
  prefix: string;
  /** How to address the bot in a shared conversation ("@LCA" in a Slack channel), where a mention is a command answered in its thread; help says so. */
  mention?: string;
}

/**
 * What a handler may use: the person, the ports and the clock. No database handle, so a
 * handler's only way to change data is the Store, and a unit test can give it a fake.
 */
export interface HandlerContext {
  actor: Actor;
  store: Store;
  reads: Reads;
  config: Config;
  log: Logger;
  now: () => Date;
  /** How this chat shows commands (help lists them so). */
  style: CommandStyle;
  /** Where a clicked card is shown, as an outbox destination: a team's room, else the person's own space. */
  origin?: { destination: string; csmId: number | null };
}

export const authorOf = (actor: Actor): Author => ({ csmId: actor.csmId, channel: actor.channel });

/** A typed command with the text it came from (lists echo it, for paging). */
export type CommandRequest<K extends CommandName> = { command: Extract<Command, { kind: K }>; text: string };

/** What each handler receives: commands by kind, card actions by their envelope name. */
export type HandlerInputs = { [K in CommandName]: CommandRequest<K> } & { [A in ActionName]: Extract<Envelope, { a: A }> };
export type HandlerName = keyof HandlerInputs;
export type Handler<N extends HandlerName> = (ctx: HandlerContext, input: HandlerInputs[N]) => Promise<Effect[]>;
