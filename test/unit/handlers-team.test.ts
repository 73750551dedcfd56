import { describe, expect, it } from "vitest";
import { runHandler } from "../../src/actions/handlers/index.js";
import { SAMPLE_VIEWS } from "../../src/cards/samples.js";
import { loadConfig } from "../../src/config.js";
import { translator } from "../../src/i18n.js";
import type { Effect } from "../../src/protocol/effects.js";
import { anna, handlerContext, james } from "../support/memory-store.js";
import { noticeKeys, world } from "../support/handler-world.js";

const team = { command: { kind: "team" as const }, text: "team" };
const files = (effects: Effect[]) => effects.filter((e): e is Extract<Effect, { type: "file" }> => e.type === "file");

/** The one read of `team`, counted. */
function teamReads(calls: string[]) {
  return {
    teamView: async () => {
      calls.push("team");
      return SAMPLE_VIEWS.team;
    },
  };
}

describe("team", () => {
  it.each([
    ["an admin, in English", james],
    ["an admin, in Russian", { ...james, locale: "ru" as const }],
  ])("answers %s with the team card and the chart as a PNG for the conversation", async (_, actor) => {
    const calls: string[] = [];
    const effects = await runHandler(handlerContext(world(), { actor, reads: teamReads(calls) }), "team", team);
    expect(calls).toEqual(["team"]);
    expect(effects[0]).toEqual({ type: "reply", card: { card: "team", view: SAMPLE_VIEWS.team } });
    const [file] = files(effects);
    expect(file).toMatchObject({ name: "team-report-2025-W10.png", mediaType: "image/png", here: true, comment: { key: "chat.team.comment", params: { week: "2025-W10" } } });
    expect([...file!.bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join("")).toBe("PNG");
    expect(file!.bytes.byteLength).toBeGreaterThan(5_000);
    expect(effects).toHaveLength(2);
  });

  it("answers a team lead of TEAM_LEADS who is no admin", async () => {
    const config = loadConfig({ ADMINS: james.email, TEAM_LEADS: ` ${anna.email.toUpperCase()} ` });
    const ctx = { ...handlerContext(world(), { actor: anna, reads: teamReads([]) }), config };
    const effects = await runHandler(ctx, "team", team);
    expect(effects.map((e) => e.type)).toEqual(["reply", "file"]);
  });

  it.each([
    ["en", { ...anna, locale: "en" as const }],
    ["ru", anna],
  ])("refuses a plain CSM (%s) before reading anything, with a message in their language", async (locale, actor) => {
    const calls: string[] = [];
    const effects = await runHandler(handlerContext(world(), { actor, reads: teamReads(calls) }), "team", team);
    expect(noticeKeys(effects)).toEqual(["chat.team.notAllowed"]);
    expect(files(effects)).toEqual([]);
    expect(calls).toEqual([]);
    const text = translator(locale as "en" | "ru")("chat.team.notAllowed");
    expect(text).toMatch(locale === "en" ? /admins and team leads/ : /администраторам партнёра и руководителям команд/);
  });
});

describe("TEAM_LEADS", () => {
  it("is a list of the partner's own emails, like ADMINS", () => {
    expect(loadConfig({ TEAM_LEADS: "Anna.Petrova@partner.example, oliver.brown@partner.example" }).partner.teamLeads).toEqual(["anna.petrova@partner.example", "oliver.brown@partner.example"]);
    expect(loadConfig({}).partner.teamLeads).toEqual([]);
    expect(() => loadConfig({ TEAM_LEADS: "lead@elsewhere.example" })).toThrow(/TEAM_LEADS: lead@elsewhere.example is not in PARTNER_DOMAINS/);
    expect(() => loadConfig({ TEAM_LEADS: "not an email" })).toThrow(/TEAM_LEADS: must be a comma-separated list of email addresses/);
  });
});
