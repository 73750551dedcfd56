import { lcaUrl, type Config } from "../config.js";
import type { Database } from "../db/database.js";
import { todayIn } from "../domain/dates.js";
import type { Logger } from "../log.js";
import type { ShownCard } from "../protocol/port.js";
import type { QueryContext } from "../queries/queries.js";

/** Everything a conversation needs: injected, so tests pass their own clock and database. */
export interface ConversationDeps {
  db: Database;
  config: Config;
  log: Logger;
  now: () => Date;
  /**
   * Told after an action changed an alert: every card of it, in every chat, is redrawn
   * through the outbox (the composition root queues the rows and wakes the dispatcher);
   * `clicked` is the card the action came from, redrawn first.
   */
  redraw?: (alertId: number, clicked?: ShownCard) => void;
}


export function queryContext(deps: ConversationDeps): QueryContext {
  return {
    prisma: deps.db.prisma,
    today: todayIn(deps.config.partner.timeZone, deps.now()),
    stallThresholds: deps.config.alerts.stallThresholds,
    lcaUrl: lcaUrl(deps.config),
  };
}
