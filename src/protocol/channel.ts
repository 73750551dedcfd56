import type { Router } from "express";
import type { ChatName } from "./chats.js";
import type { Effect, Outcome } from "./effects.js";
import type { ChannelPort } from "./port.js";

/**
 * What every chat is to the composition root: Slack, Webex and the preview implement it the
 * same way, in src/channels/<chat>/index.ts, and src/channels/registry.ts lists them.
 *
 * The order of work inside is the same in every chat: index.ts verifies and acknowledges a
 * request, inbound.ts turns it into an identity and an envelope (or a command text), the
 * pipeline (src/actions/) answers with effects, present.ts carries them out with
 * `EffectPresenters`, and port.ts sends and replaces for the dispatcher. Only src/delivery/
 * calls the port.
 */
export interface ChatChannel<Where = unknown, Presented = void> {
  readonly name: ChatName;
  /** The routes this chat answers on the one HTTP server, mounted at `path`; none when it only connects out (Slack Socket Mode). */
  readonly http?: { path: string; router: Router };
  /** For the outbox dispatcher; none for a chat that sends nothing (the preview reads the outbox). */
  readonly port?: ChannelPort;
  /**
   * Checks the credentials and connects. Throws an `AppError` with code `chat.startFailed`
   * naming the setting to fix; the composition root logs it and tries again later.
   */
  start(): Promise<void>;
  /** Stops taking requests and waits for those under way until `deadline` (a `Date.now()` time), then gives up on them. */
  stop(deadline: number): Promise<void>;
  /** Carries out a pipeline outcome in the conversation it answers (`Where` is the chat's own: a Slack response_url, a Webex room…). */
  present(outcome: Outcome, where: Where): Promise<Presented>;
}

/**
 * One presenter per effect type, so a new effect is a type error in every chat until each
 * says how it shows it. `Into` is what the chat collects while presenting (messages to post).
 */
export type EffectPresenters<Into, Context = void> = {
  [T in Effect["type"]]: (effect: Extract<Effect, { type: T }>, into: Into, context: Context) => void | Promise<void>;
};

/** Runs an outcome's effects through a chat's presenters, in order. */
export async function presentEach<Into, Context>(presenters: EffectPresenters<Into, Context>, effects: readonly Effect[], into: Into, context: Context): Promise<Into> {
  for (const effect of effects) await (presenters[effect.type] as (e: Effect, i: Into, c: Context) => void | Promise<void>)(effect, into, context);
  return into;
}
