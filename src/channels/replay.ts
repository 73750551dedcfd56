import { createHash } from "node:crypto";
import type { Queryable } from "../db/sql.js";
import type { Logger } from "../log.js";
import type { SendChat } from "../protocol/chats.js";

/**
 * Replay protection that survives a restart: each chat's event ids (a Webex webhook event,
 * a Slack event_id or the signature of a signed Slack request) go into `processed_event`.
 * The insert decides: a row already there (and younger than the TTL) means the event was
 * handled before, by this process, an earlier one, or another instance on the same
 * database. Rows older than the TTL are purged now and then, on insert.
 */
export interface ReplayGuard {
  /** True the first time an id is offered within the TTL; false when it was processed already. */
  firstTime(id: string): Promise<boolean>;
}

export interface ReplayGuardOptions {
  /** How long an id is remembered (default 24 h: far longer than Webex's retries and Slack's 5-minute window). */
  ttlMs?: number;
  /** At most one purge of old rows per this interval (default 10 minutes). */
  purgeEveryMs?: number;
  log?: Logger;
}

export const REPLAY_TTL_MS = 24 * 60 * 60 * 1000;

/** Ids are short in practice; a long one (a hostile request) is stored as its hash. */
const MAX_ID_LENGTH = 200;
const storedId = (id: string): string => (id.length <= MAX_ID_LENGTH ? id : `sha256:${createHash("sha256").update(id).digest("hex")}`);

export function createReplayGuard(db: Queryable, chat: SendChat, options: ReplayGuardOptions = {}): ReplayGuard {
  const ttlSeconds = (options.ttlMs ?? REPLAY_TTL_MS) / 1000;
  const purgeEveryMs = options.purgeEveryMs ?? 10 * 60 * 1000;
  let lastPurge = 0;

  const purge = () => {
    lastPurge = Date.now();
    db.query(`DELETE FROM processed_event WHERE seen_at < now() - make_interval(secs => $1)`, [ttlSeconds]).then(
      (result) => (result.rowCount ?? 0) > 0 && options.log?.debug({ chat, purged: result.rowCount }, "replay guard: old event ids purged"),
      (error: unknown) => options.log?.warn({ err: error, chat }, "replay guard: could not purge old event ids; trying again later"),
    );
  };

  return {
    async firstTime(id) {
      // A row older than the TTL that is not purged yet counts as new (and is renewed).
      const result = await db.query(
        `INSERT INTO processed_event (chat, event_id, seen_at) VALUES ($1, $2, now())
         ON CONFLICT (chat, event_id) DO UPDATE SET seen_at = now()
           WHERE processed_event.seen_at < now() - make_interval(secs => $3)
         RETURNING 1`,
        [chat, storedId(id), ttlSeconds],
      );
      if (Date.now() - lastPurge >= purgeEveryMs) purge();
      return (result.rowCount ?? 0) > 0;
    },
  };
}
