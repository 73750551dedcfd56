import { lcaUrl, type Config } from "../config.js";
import type { Database } from "../db/database.js";
import { todayIn } from "../domain/dates.js";
import type { Logger } from "../log.js";
import { addedRecently, alertView, contactProblems, findCustomer, findUseCase, mine, stalled, useCaseDetail, type QueryContext } from "../queries/queries.js";
import type { Reads, Store } from "../protocol/store.js";
import type { AlertChange, ShownCard } from "../protocol/port.js";
import { formCard } from "../queries/forms.js";
import { customerHistory, deploymentHistory } from "../queries/activity.js";
import { homeView } from "../queries/home.js";
import { teamView } from "../queries/team.js";
import { lcaChangeCounts, lcaWorkbook } from "../writeback/summary.js";

/** Everything a conversation needs: injected, so tests pass their own clock and database. */
export interface ConversationDeps {
  db: Database;
  config: Config;
  log: Logger;
  now: () => Date;
  /**
   * Told after an action changed an alert: every card of it, in every chat, is redrawn
   * through the outbox (the composition root queues the rows and wakes the dispatcher);
   * `clicked` is the card the action came from, redrawn first; `change`, what was done, is
   * told in the thread of each card in the other chats.
   */
  redraw?: (alertId: number, clicked?: ShownCard, change?: AlertChange) => void;
  /**
   * Told when a click on an alert card is answered in the card's thread and nothing redraws
   * it now (a refused form, an error): the card must keep its thread at its next redraw.
   */
  keepThread?: (card: Pick<ShownCard, "chat" | "alertId" | "externalId">) => void;
  /** Told after a CSM's action changed data (an alert, their settings): their Home pages are republished through the outbox. */
  redrawHome?: (csmId: number) => void;
  /** Told after an action queued a row or made rows due (a shown card, quiet hours changed): the dispatcher looks now, not at its next poll. */
  wakeDelivery?: () => void;
  /** Where handlers change data; by default SQL on `db.pool` (src/db/store.ts). */
  store?: Store;
}

export function queryContext(deps: ConversationDeps): QueryContext {
  return {
    prisma: deps.db.prisma,
    today: todayIn(deps.config.partner.timeZone, deps.now()),
    stallThresholds: deps.config.alerts.stallThresholds,
    lcaUrl: lcaUrl(deps.config),
  };
}

/** The read side as handlers see it: the queries of src/queries/, on this request's clock. */
export function queryReads(deps: ConversationDeps): Reads {
  // Each query takes today from the clock when it runs, as the handlers always did.
  const q = () => queryContext(deps);
  return {
    stalled: (args) => stalled(q(), args),
    addedRecently: (args) => addedRecently(q(), args),
    contactProblems: (args) => contactProblems(q(), args),
    mine: (args) => mine(q(), args),
    findCustomer: (query) => findCustomer(q(), query),
    findUseCase: (deploymentId, name) => findUseCase(q(), deploymentId, name),
    useCaseDetail: (id) => useCaseDetail(q(), id),
    deploymentHistory: (deploymentId) => deploymentHistory(q(), deploymentId),
    customerHistory: (crPartyId) => customerHistory(q(), crPartyId),
    alertView: (alertId) => alertView(q(), alertId),
    formCard: (request, asAdmin) => formCard(q(), request, asAdmin),
    homeView: (args) => homeView(q(), args),
    lcaChangeCounts: () => lcaChangeCounts(deps.db.pool),
    lcaWorkbook: () => lcaWorkbook(deps.db.pool),
    teamView: () => teamView({ ...q(), timeZone: deps.config.partner.timeZone, now: deps.now() }),
  };
}
