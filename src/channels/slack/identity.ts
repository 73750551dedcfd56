import type { webApi } from "@slack/bolt";
import type { ChatIdentity } from "../../actions/identity.js";
import type { Logger } from "../../log.js";

type WebClient = InstanceType<typeof webApi.WebClient>;

/** How long what users.info said about a person is reused (tier 4, but every click needs it). */
const TTL_MS = 5 * 60_000;

/**
 * Who a Slack user is, as the pipeline needs it: the email Slack returns (users:read.email;
 * Slack verifies workspace emails, so it is treated as verified) and the locale Slack knows
 * for them (`include_locale`). The pipeline links the CSM by that email and refuses strangers.
 */
export function createIdentities(client: WebClient, log: Logger, now: () => number = Date.now): (userId: string) => Promise<ChatIdentity> {
  const cache = new Map<string, { identity: ChatIdentity; until: number }>();
  return async (userId) => {
    const hit = cache.get(userId);
    if (hit && hit.until > now()) return hit.identity;
    try {
      const info = await client.users.info({ user: userId, include_locale: true });
      const user = info.user;
      const email = user && !user.deleted && !user.is_bot ? user.profile?.email?.trim() || null : null;
      const identity: ChatIdentity = { channel: "slack", userId, email, emailVerified: email !== null, platformLocale: user?.locale ?? null, platformTimeZone: user?.tz ?? null };
      cache.set(userId, { identity, until: now() + TTL_MS });
      return identity;
    } catch (error) {
      // A CSM linked before is still known by the user id; anyone else is refused as a stranger.
      log.warn({ err: error, slackUserId: userId }, "slack users.info failed; identifying by the linked user id only");
      return { channel: "slack", userId, email: null, emailVerified: false, platformLocale: null };
    }
  };
}

/** What a Slack workspace calls the bot when nobody renamed it (slack/manifest.yml, display_name). */
export const MANIFEST_BOT_NAME = "LCA";

/**
 * The bot's name as people type it in a mention ("@LCA"), for help to show: its display
 * name from users.info, asked once. Any failure keeps the manifest's name (help stays right
 * unless an admin renamed the bot).
 */
export function createBotName(client: WebClient, botUserId: () => Promise<string | undefined>, log: Logger): () => Promise<string> {
  let name: Promise<string> | undefined;
  return () =>
    (name ??= botUserId()
      .then(async (user) => {
        if (!user) return MANIFEST_BOT_NAME;
        const info = await client.users.info({ user });
        return info.user?.profile?.display_name?.trim() || info.user?.real_name?.trim() || info.user?.name?.trim() || MANIFEST_BOT_NAME;
      })
      .catch((error: unknown) => {
        log.info({ err: error }, `slack: could not read the bot's display name; help shows @${MANIFEST_BOT_NAME}`);
        return MANIFEST_BOT_NAME;
      }));
}
