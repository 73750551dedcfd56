import { describe, expect, it } from "vitest";
import { welcome, welcomeView, type JoinedSpace } from "../../src/actions/handlers/welcome.js";
import { renderCard } from "../../src/cards/render.js";
import { loadConfig } from "../../src/config.js";
import { translator } from "../../src/i18n.js";
import type { WelcomeView } from "../../src/protocol/views.js";
import { replies } from "../support/handler-world.js";
import { anna, handlerContext, james, MemoryStore } from "../support/memory-store.js";

const config = loadConfig({ PARTNER_NAME: "Partner Example Ltd", TEAM_SPACES: "webex:ROOM-TEAM=Team Enterprise, slack:C0TEAM=Slack team" });
const direct: JoinedSpace = { chat: "webex", address: "ROOM-ONE", group: false };
const group = (address: string, chat: JoinedSpace["chat"] = "webex"): JoinedSpace => ({ chat, address, group: true });
const ctxFor = (actor = james, prefix = "") => ({ ...handlerContext(new MemoryStore(), { actor, style: { prefix } }), config });

async function viewOf(space: JoinedSpace, actor = james, prefix = ""): Promise<WelcomeView> {
  const [card] = replies(await welcome(ctxFor(actor, prefix), space));
  if (card?.card !== "welcome") throw new Error("welcome card expected");
  return card.view;
}

describe("welcome", () => {
  it("in a 1:1 space: the partner, help as typed there, nothing about team spaces", async () => {
    expect(await viewOf(direct)).toEqual({ partner: "Partner Example Ltd", help: "help", serves: true });
  });

  it("in a group space: the team space's name from TEAM_SPACES for this chat and address, or null", async () => {
    expect(await viewOf(group("ROOM-TEAM"), james, "@LCA ")).toEqual({ partner: "Partner Example Ltd", help: "@LCA help", serves: true, teamSpace: "Team Enterprise" });
    expect((await viewOf(group("ROOM-OTHER"))).teamSpace).toBeNull();
    // The same address on another chat is not this space.
    expect((await viewOf(group("C0TEAM"))).teamSpace).toBeNull();
    expect((await viewOf(group("C0TEAM", "slack"))).teamSpace).toBe("Slack team");
  });

  it("shows help in the reader's language", async () => {
    expect((await viewOf(direct, anna)).help).toBe("помощь");
  });

  it("for someone it does not serve: no team space, even in one", () => {
    expect(welcomeView(config, { prefix: "@LCA " }, "en", group("ROOM-TEAM"), false)).toEqual({ partner: "Partner Example Ltd", help: "@LCA help", serves: false });
  });
});

describe("the welcome card", () => {
  const texts = (view: WelcomeView, locale: "en" | "ru") =>
    JSON.stringify(renderCard("welcome", view, { locale, timeZone: "UTC" }))
      .replace(/\u2060/g, "")
      .replace(/\u02CB/g, "`");

  it.each(["en", "ru"] as const)("says what a CSM needs to know, in each case (%s)", (locale) => {
    const t = translator(locale);
    const base = { partner: "Partner Example Ltd", help: "help", serves: true };
    const oneToOne = texts(base, locale);
    expect(oneToOne).toContain(t("cards.welcome.about", { partner: "Partner Example Ltd" }));
    expect(oneToOne).toContain(t("cards.welcome.direct"));
    expect(oneToOne).not.toContain(t("cards.welcome.group"));
    const team = texts({ ...base, teamSpace: "Team Enterprise" }, locale);
    expect(team).toContain(t("cards.welcome.teamSpace", { name: "Team Enterprise" }));
    expect(team).toContain(t("cards.welcome.group"));
    expect(texts({ ...base, teamSpace: null }, locale)).toContain(t("cards.welcome.notTeamSpace"));
    const stranger = texts({ ...base, serves: false }, locale);
    expect(stranger).toContain(t("cards.welcome.stranger", { partner: "Partner Example Ltd" }));
    expect(stranger).toContain(t("cards.welcome.help", { help: "help" }));
    for (const key of ["about", "direct", "group", "notTeamSpace"] as const) expect(stranger).not.toContain(t(`cards.welcome.${key}`, { partner: "Partner Example Ltd" }));
  });
});
