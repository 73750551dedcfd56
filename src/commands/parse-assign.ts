/** `assign`: a deployment to oneself or to a colleague by email. */
import { fail, filterLike, ok, unexpected, type Args, type Outcome } from "./parse-arguments.js";
import { ASSIGN_FILLER, bare, DEPLOYMENT_ID, EMAIL, ME_WORDS, SLACK_MAILTO, TO_WORDS } from "./parse-vocabulary.js";
import type { Command } from "./types.js";

/**
 * `assign <deployment> [to me | to <email> | <email>]`, in any order: `assign DPL1 to me`,
 * `назначить DPL1 мне`, `назначить мне DPL1`, `assign DPL1 anna@example.com`.
 */
export function parseAssign(args: Args): Outcome<Extract<Command, { kind: "assign" }>> {
  let deploymentId: string | undefined;
  let to: "me" | { email: string } | undefined;
  let expectTarget = false;
  for (const token of args.tokens) {
    const word = bare(token.text);
    if (ASSIGN_FILLER.has(word)) continue;
    if (TO_WORDS.has(word) && to === undefined && !expectTarget) {
      expectTarget = true;
    } else if (ME_WORDS.has(word) && to === undefined) {
      to = "me";
      expectTarget = false;
    } else if ((token.text.includes("@") || expectTarget) && to === undefined) {
      const email = (SLACK_MAILTO.exec(token.text)?.[1] ?? token.text.replace(/^mailto:/i, "")).toLowerCase().replace(/[.,;!?]+$/u, "");
      if (!EMAIL.test(email)) return fail("commands.errors.email", { value: token.text });
      to = { email };
      expectTarget = false;
    } else if (deploymentId === undefined && !filterLike(token.raw)) {
      const id = token.text.toUpperCase().replace(/^(?:№|#)/u, "").replace(/[.,;!?]+$/u, "");
      if (!DEPLOYMENT_ID.test(id)) return fail("commands.errors.deploymentId", { value: token.text });
      deploymentId = id;
    } else {
      return unexpected(token, args);
    }
  }
  if (expectTarget) return fail("commands.errors.email", { value: "" });
  if (deploymentId === undefined) return fail("commands.errors.deploymentId", { value: "" });
  return ok({ kind: "assign", deploymentId, to: to ?? "me" });
}
