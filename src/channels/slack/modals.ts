import { z } from "zod";
import { ACTION_NAMES, type ActionName } from "../../protocol/envelope.js";

/**
 * Forms as Slack modals. A button that opens a form (an Adaptive Card Action.ShowCard, see
 * blockkit.ts) carries its envelope in `value`; the click becomes a `form.open` request to
 * the pipeline, whose form effect is drawn from the current data and opened with
 * `views.open` within the 3-second trigger window. The modal's metadata keeps the envelope,
 * and the submitted inputs are merged into it on `view_submission`.
 */

/** What a form button carries: the envelope without the fields the form supplies. */
const buttonData = z.looseObject({
  a: z.enum(ACTION_NAMES),
  id: z.coerce.number().int().positive(),
  ev: z.coerce.number().int().min(0).optional(),
  slot: z.coerce.number().int().min(0).max(2).optional(),
});
export type ButtonData = z.infer<typeof buttonData>;

export function parseButtonData(value: unknown): ButtonData | undefined {
  const parsed = buttonData.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The alert card message a click came from (not ephemeral), to rewrite after the action. */
export interface MessageSource {
  /** channel id */
  c: string;
  /** message ts */
  t: string;
  /** the alert the card shows */
  a?: number;
  /** the ts of the thread the card is a reply in, when it is one (a thread's replies go under its root) */
  h?: string;
}

/** `private_metadata` of our modals: the envelope, where it was clicked, and the click's response_url. */
export interface ModalMetadata {
  e: Record<string, unknown>;
  s?: MessageSource;
  r?: string;
}

const metadataSchema = z.object({
  e: z.record(z.string(), z.unknown()),
  s: z.object({ c: z.string(), t: z.string(), a: z.number().optional(), h: z.string().optional() }).optional(),
  r: z.string().optional(),
});

const PRIVATE_METADATA_MAX = 3000;

export function writeMetadata(meta: ModalMetadata): string {
  const full = JSON.stringify(meta);
  // The envelope alone always fits (a button value holds at most 2000 characters).
  return full.length <= PRIVATE_METADATA_MAX ? full : JSON.stringify({ e: meta.e });
}

export function readMetadata(text: string | undefined): ModalMetadata | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(text ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON: not one of our modals
  }
}

interface StateValue {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
}

/** The submitted inputs by input id (block ids and action ids are the Adaptive Card input ids). */
export function formValues(values: Record<string, Record<string, StateValue>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const block of Object.values(values)) {
    for (const [id, state] of Object.entries(block)) {
      if (state.selected_options) out[id] = state.selected_options.map((o) => o.value);
      else if (state.selected_option) out[id] = state.selected_option.value;
      else if (typeof state.value === "string" && state.value !== "") out[id] = state.value;
    }
  }
  return out;
}
