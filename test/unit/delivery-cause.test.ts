import { describe, expect, it } from "vitest";
import { DELIVERY_CAUSES, deliveryCause } from "../../src/delivery/admin-notices.js";
import { hasMessage, translator } from "../../src/i18n.js";

describe("delivery failures explained to admins", () => {
  it.each([
    ["not_in_channel", "removed"],
    ["webex 403: the bot is not allowed in that space (removed from it, or the space is locked) (Forbidden)", "removed"],
    ["channel_not_found", "notFound"],
    ["webex 404: the space, person or message does not exist (Not Found)", "notFound"],
    ["is_archived", "archived"],
    ["account_inactive", "inactive"],
    ["cannot_dm_bot", "restricted"],
    ["msg_too_long", "rejected"],
    ["webex 413: the message is too large (x)", "rejected"],
    ["edit_window_closed", "cannotEdit"],
    ["gave up after 8 attempts: rate_limited (Retry-After 30 s)", "rateLimited"],
    ["webex 401: the bot token was refused; check WEBEX_BOT_TOKEN (Unauthorized)", "token"],
    ["gave up after 8 attempts: network: connect ECONNREFUSED 127.0.0.1:9", "network"],
    ["gave up after 8 attempts: webex unreachable: socket hang up", "network"],
    ["gave up after 8 attempts: http_503", "network"],
    ["not sent: x@gmail.example is outside the partner's email domains (PARTNER_DOMAINS)", "outsidePartner"],
    ["something new", "other"],
  ])("%s → %s", (reason, cause) => {
    expect(deliveryCause(reason)).toBe(cause);
  });

  it("words every cause in both languages, with the raw reason kept next to it", () => {
    for (const cause of DELIVERY_CAUSES) for (const locale of ["en", "ru"] as const) expect(hasMessage(locale, `chat.delivery.cause.${cause}`), `${locale} ${cause}`).toBe(true);
    const text = translator("ru")("chat.delivery.failedText", { where: "Anna (anna@partner.example)", cause: { key: "chat.delivery.cause.removed" }, reason: "not_in_channel" });
    expect(text).toContain("бота больше нет в этом пространстве или ему запрещено туда писать (not_in_channel)");
  });
});
