import { lcaUrl, type Config } from "../config.js";
import type { Database } from "../db/database.js";
import { todayIn } from "../domain/dates.js";
import type { Logger } from "../log.js";
import type { QueryContext } from "../queries/queries.js";

/** Everything a conversation needs: injected, so tests pass their own clock and database. */
export interface ConversationDeps {
  db: Database;
  config: Config;
  log: Logger;
  now: () => Date;
  /**
   * Told after an action changed an alert, with the chat it came from: the composition root
   * fans it out so the other chats redraw their copies (the origin presents its own effects).
   */
  alertChanged?: (alertId: number, origin: string) => void;
}


export function queryContext(deps: ConversationDeps): QueryContext {
  return {
    prisma: deps.db.prisma,
    today: todayIn(deps.config.partner.timeZone, deps.now()),
    stallThresholds: deps.config.alerts.stallThresholds,
    lcaUrl: lcaUrl(deps.config),
  };
}
