import type { ConversationDeps } from "../../src/actions/context.js";
import { queryContext } from "../../src/actions/context.js";
import { fallbackText, renderCard, type RenderContext } from "../../src/cards/render.js";
import { alertCardName } from "../../src/protocol/views.js";
import type { ChannelPort, Destination } from "../../src/protocol/port.js";
import { alertView } from "../../src/queries/queries.js";

/**
 * Delivers an alert card through a chat's port as the outbox dispatcher does, and records
 * the outbox row as sent (with the message and conversation ids a later redraw needs).
 */
export async function deliverAlertCard(deps: ConversationDeps, port: ChannelPort, to: Destination, alertId: number, ctx: RenderContext): Promise<{ externalId: string; conversationId: string }> {
  const view = (await alertView(queryContext(deps), alertId))!;
  const card = renderCard(alertCardName(view.kind), view, ctx);
  const outcome = await port.send(to, { card, fallbackText: fallbackText(card) });
  if (!outcome.ok) throw new Error(`send failed: ${outcome.reason}`);
  const destination = to.kind === "room" ? to.address : `csm:${to.csmId}`;
  await deps.db.prisma.outboxMessage.create({
    data: {
      channel: port.channel,
      destination,
      csmId: to.kind === "room" ? null : to.csmId,
      alertId,
      kind: "alert",
      payload: { alertId, notice: 0 },
      status: "sent",
      sentAt: new Date(),
      externalId: outcome.externalId,
      conversationId: outcome.conversationId,
      dedupeKey: `test:${port.channel}:${alertId}:${destination}:${outcome.externalId}`,
    },
  });
  return outcome;
}
