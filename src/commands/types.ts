import type { Locale } from "../config.js";
import type { AlertKind } from "../domain/recommendations.js";
import type { MessageKey } from "../i18n.js";

/** Narrowing of a list command; each list holds the values as typed (case kept), OR-ed within a list. */
export type Filters = {
  tags: string[];
  architectures: string[];
  customers: string[];
  /** Only CPI-eligible use cases (`stalled cpi`); absent when not asked, so stored subscriptions keep their shape. */
  cpi?: boolean;
};

/** Whose deployments a list covers beyond the asker's own (admins only): the whole partner, or nobody's. */
export type ListScope = "all" | "unassigned";

export type Command =
  | { kind: "help"; topic?: CommandName }
  | { kind: "stalled"; filters: Filters; page: number; scope?: ListScope }
  | { kind: "new"; days: number; filters: Filters; page: number }
  | { kind: "contacts"; filters: Filters; page: number; scope?: ListScope }
  | { kind: "customer"; query: string }
  /** By the internal number, or as a card names it: Deployment ID and (when it has several) the use case's name. */
  | { kind: "usecase"; id: number }
  | { kind: "usecase"; deploymentId: string; name?: string }
  /**
   * What people did on a deployment or a customer's deployments: `query` as typed; `deploymentId`
   * when it reads as one (letters and digits), tried first, then the customer by CR Party ID or name.
   */
  | { kind: "history"; query: string; deploymentId?: string }
  | { kind: "mine"; filters: Filters; page: number }
  | { kind: "assign"; deploymentId: string; to: "me" | { email: string } }
  | { kind: "subscribe"; kinds: AlertKind[]; filters: Filters; mode: "immediate" | "digest" }
  /** An empty list means every kind. */
  | { kind: "unsubscribe"; kinds: AlertKind[] }
  /** `time` is "HH:MM" (24-hour, the user's time zone). */
  | { kind: "digest"; enabled: boolean; time?: string }
  | { kind: "lang"; locale: Locale }
  /**
   * Quiet hours (`quiet 19:00-08:00`, `quiet weekends`, `quiet off`), in the person's zone:
   * `hours` sets the nightly window, `weekends` turns quiet weekends on or off, `off` clears both.
   */
  | { kind: "quiet"; hours?: { from: string; to: string }; weekends?: boolean; off?: true }
  | { kind: "settings" }
  /** Admins: the changes waiting for LCA, with the upload workbook. */
  | { kind: "changes" }
  /** Admins and team leads: the team report (per CSM, unassigned deployments, the chart). */
  | { kind: "team" };

export type CommandName = Command["kind"];

/** A message key and its parameters: what the user is told, in their language, by the adapter. */
export type ParseError = { key: MessageKey; params?: Record<string, string | number> };

export type ParseResult =
  /** `language` is the language of the keyword the user typed: a hint for users with no locale set. */
  | { ok: true; command: Command; language: Locale }
  /**
   * `suggestion` is the keyword the user probably meant, in the language they typed in
   * (render it with `commands.errors.didYouMean`, see `parseErrorMessages`). `language` is
   * the language the text looks written in.
   */
  | { ok: false; error: ParseError; suggestion?: string; language: Locale };
