import { createRequire } from "node:module";
import type * as AdaptiveCardsSdk from "adaptivecards";
import { envelopeSchema } from "../protocol/envelope.js";
import { LOCALES } from "../config.js";
import { actionsOf, inputsOf, walkCards, type AdaptiveCard, type CardAction, type CardInput, type NestedCard } from "./adaptive-card.js";
import { FORM_FIELDS } from "./present.js";
import { renderCard } from "./render.js";
import { SAMPLE_NOW, SAMPLE_VIEWS } from "./samples.js";
import { CARD_NAMES, type CardName } from "../protocol/views.js";

/** Webex renders Adaptive Cards 1.3 with at most 5 actions, of these types. */
export const CARD_VERSION = "1.3";
export const MAX_ACTIONS = 5;
const WEBEX_ACTIONS: ReadonlySet<string> = new Set(["Action.Submit", "Action.OpenUrl", "Action.ShowCard"]);

// `import "adaptivecards"` fails in Node 20 (extension-less ES imports); the UMD bundle loads.
let sdk: typeof AdaptiveCardsSdk | undefined;
function adaptiveCards(): typeof AdaptiveCardsSdk {
  sdk ??= createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.min.js") as typeof AdaptiveCardsSdk;
  return sdk;
}

/** The fields of each envelope, by action name. */
const ENVELOPE_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  envelopeSchema.options.map((option) => [option.shape.a.value, new Set(Object.keys(option.shape))]),
);
/** The ids an input may have: the envelope fields a form supplies. */
const INPUT_FIELDS: ReadonlySet<string> = new Set(FORM_FIELDS);

/**
 * The problems of an expanded card, as "where: what" lines; empty when it is fine:
 * - what the official SDK reports when parsing for version 1.3 and validating;
 * - version 1.3, at most 5 actions per card (Webex), only Submit / OpenUrl / ShowCard;
 * - unique input ids, each the name of an envelope field;
 * - every Action.Submit `data`, merged with the inputs its form supplies, parses as an
 *   envelope (src/actions/envelope.ts), and those inputs are fields of that envelope;
 * - no `${…}` binding left unexpanded.
 */
export function validateCard(card: unknown): string[] {
  const problems: string[] = [];
  if (!card || typeof card !== "object" || (card as { type?: unknown }).type !== "AdaptiveCard") {
    return ['card: not an Adaptive Card (type must be "AdaptiveCard")'];
  }
  const json = card as AdaptiveCard;
  problems.push(...sdkProblems(json));
  if (json.version !== CARD_VERSION) problems.push(`card: version is ${JSON.stringify(json.version)}, Webex needs "${CARD_VERSION}"`);

  const seenIds = new Map<string, number>();
  for (const { card: current, ancestors, path } of walkCards(json)) {
    const actions = actionsOf(current);
    if ((current.actions ?? []).length > MAX_ACTIONS) problems.push(`${path}: ${current.actions?.length} actions, Webex shows at most ${MAX_ACTIONS}`);
    for (const input of inputsOf(current)) {
      seenIds.set(input.id, (seenIds.get(input.id) ?? 0) + 1);
      if (!INPUT_FIELDS.has(input.id)) problems.push(`${path}: input "${input.id}" is not an envelope field (${[...INPUT_FIELDS].join(", ")})`);
    }
    actions.forEach((action, index) => problems.push(...actionProblems(action, `${path} action ${index} "${action.title}"`, [...ancestors, current])));
  }
  for (const [id, count] of seenIds) if (count > 1) problems.push(`card: input id "${id}" is used ${count} times`);
  if (JSON.stringify(json).includes("${")) problems.push("card: a ${…} binding is left unexpanded");
  return problems;
}

function actionProblems(action: CardAction, where: string, scope: NestedCard[]): string[] {
  if (!WEBEX_ACTIONS.has(action.type)) return [`${where}: ${action.type} is not supported by Webex`];
  if (action.type !== "Action.Submit") return [];
  const problems: string[] = [];
  const inputs = scope.flatMap(inputsOf);
  const fields = ENVELOPE_FIELDS.get(String(action.data?.a));
  for (const input of inputs) {
    if (fields && !fields.has(input.id)) problems.push(`${where}: input "${input.id}" is not a field of ${String(action.data?.a)}`);
  }
  for (const [variant, values] of [["as sent", sampleValues(inputs, false)], ["filled in", sampleValues(inputs, true)]] as const) {
    const parsed = envelopeSchema.safeParse({ ...action.data, ...values });
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "data"}: ${i.message}`).join("; ");
      problems.push(`${where}: data with inputs ${variant} is not an envelope (${issues})`);
    }
  }
  return problems;
}

/** What a form sends: the preset values (empty when none), or every input filled in. */
function sampleValues(inputs: CardInput[], filled: boolean): Record<string, string> {
  return Object.fromEntries(
    inputs.map((input) => {
      if (input.type === "Input.ChoiceSet") return [input.id, input.value ?? (filled || input.isRequired ? (input.choices?.[0]?.value ?? "") : "")];
      const sample = input.style === "Email" || input.id === "email" ? "someone@customer.example" : "sample text";
      return [input.id, input.value ?? (filled || input.isRequired ? sample : "")];
    }),
  );
}

/** What the official SDK says when parsing the card for version 1.3 and validating it. */
function sdkProblems(json: AdaptiveCard): string[] {
  const AC = adaptiveCards();
  const context = new AC.SerializationContext(AC.Versions.v1_3);
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`sdk parse: ${event.message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    const owner = event.source && "getJsonTypeName" in event.source ? ` (${(event.source as AdaptiveCardsSdk.CardObject).getJsonTypeName()})` : "";
    problems.push(`sdk validate${owner}: ${event.message}`);
  }
  return problems;
}

/**
 * Renders every card with its sample view model in every language and validates it; the
 * problems, each prefixed with "<card> [<lang>]". For start-up: a broken template or
 * locale file shows before a user sees it.
 */
export function validateAllTemplates(names: readonly CardName[] = CARD_NAMES): string[] {
  const problems: string[] = [];
  for (const name of names) {
    for (const locale of LOCALES) {
      try {
        const card = renderCard(name, SAMPLE_VIEWS[name], { locale, timeZone: "Europe/Berlin", now: SAMPLE_NOW });
        problems.push(...validateCard(card).map((p) => `${name} [${locale}] ${p}`));
      } catch (error) {
        problems.push(`${name} [${locale}] cannot render: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}
