import type { AlertKind } from "../domain/recommendations.js";
import type { SendChat } from "../protocol/chats.js";

/** The shape of an outbox row as the dispatcher holds it; the statements are in the store-*.ts files. */

export type OutboxKind = "alert" | "reminder" | "digest" | "refresh" | "notice" | "home" | "summary" | "escalation";
export type SendChannel = SendChat;

/** A row this instance holds (status 'sending' with our lease). */
export interface ClaimedRow {
  id: number;
  channel: SendChannel;
  destination: string;
  csmId: number | null;
  alertId: number | null;
  kind: string;
  payload: unknown;
  /** Including this claim. */
  attempts: number;
  createdAt: Date;
  /** Above 0: a person is looking at this card (the one they clicked); it goes first, through the gate too. */
  priority: number;
  /** The lease's expiry as the database wrote it: the fencing token. */
  token: string;
  /** What to put back on release. */
  previous: { status: "pending" | "failed"; nextAttemptAt: string };
  /** How long to wait before sending: the destination's rate limit, a Retry-After, the coalescing window. */
  waitMs: number;
  /** The alert of an alert or reminder row as it is now. */
  alert: { status: "open" | "resolved"; kind: AlertKind; useCaseDeploymentId: number } | null;
  /** Unsent alert/reminder rows to the same destination about the same use case, created within the coalescing window. */
  siblings: Sibling[];
  /** Taken over from an instance whose lease ran out: ms since that instance's last renewal (its heartbeat). */
  takenOverAfterMs: number | null;
}

export interface Sibling {
  id: number;
  kind: string;
  alertId: number;
  alertKind: AlertKind;
  alertStatus: "open" | "resolved";
  payload: unknown;
}

/** SQL: the outbox row (of alias `row`, if given) is a card, not a reply posted in a card's thread. */
export const isCard = (row?: string): string => `NOT (${row ? `${row}.` : ""}payload::jsonb ? 'threadOf')`;
