import { describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../../src/db/migrate.js";
import { createTestDatabase, DB_KINDS } from "../support/db.js";

const all = readMigrations();
const at = all.findIndex((m) => m.name.endsWith("_chat_identity"));
const before = all.slice(0, at);
const through = all.slice(0, at + 1);

describe.each(DB_KINDS)("the chat_identity migration on %s", (kind) => {
  it("carries every CSM's Webex and Slack links and platform language over, then drops the old columns", async () => {
    expect(at).toBeGreaterThan(0);
    const db = await createTestDatabase(kind, { migrate: false });
    try {
      await migrate(db.pool, before);
      const { rows } = await db.pool.query<{ id: number; email: string }>(
        `INSERT INTO csm (email, name, locale, platform_locale, webex_person_id, slack_user_id, active) VALUES
           ('both@partner.example', 'Both', NULL, 'ru', 'PBOTH', 'UBOTH', true),
           ('slack@partner.example', 'Slack only', 'en', NULL, NULL, 'USLACK', true),
           ('webex@partner.example', 'Webex only', NULL, 'en', 'PWEBEX', NULL, true),
           ('none@partner.example', 'Never linked', NULL, 'ru', NULL, NULL, true),
           ('left@partner.example', 'Left', NULL, NULL, 'PLEFT', NULL, false)
         RETURNING id, email`,
      );
      const id = Object.fromEntries(rows.map((r) => [r.email.split("@")[0]!, r.id]));

      expect(await migrate(db.pool, through)).toMatchObject({ applied: [all[at]!.name] });

      const { rows: carried } = await db.pool.query(
        `SELECT csm_id, chat::text AS chat, user_id, locale, verified FROM chat_identity ORDER BY csm_id, chat::text`,
      );
      expect(carried).toEqual([
        { csm_id: id.both, chat: "slack", user_id: "UBOTH", locale: "ru", verified: true },
        { csm_id: id.both, chat: "webex", user_id: "PBOTH", locale: "ru", verified: true },
        { csm_id: id.slack, chat: "slack", user_id: "USLACK", locale: null, verified: true },
        { csm_id: id.webex, chat: "webex", user_id: "PWEBEX", locale: "en", verified: true },
        { csm_id: id.left, chat: "webex", user_id: "PLEFT", locale: null, verified: true },
      ]);
      const { rows: columns } = await db.pool.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'csm' AND column_name IN ('platform_locale', 'webex_person_id', 'slack_user_id')`,
      );
      expect(columns).toEqual([]);
      // The CSM's own choice stays where it was.
      const { rows: [slackOnly] } = await db.pool.query(`SELECT locale FROM csm WHERE id = $1`, [id.slack]);
      expect(slackOnly).toEqual({ locale: "en" });
    } finally {
      await db.close();
    }
  });

  it("holds one account per CSM and chat, one CSM per account, only on chats with user ids, and goes with its CSM", async () => {
    const db = await createTestDatabase(kind);
    try {
      const { rows: [a, b] } = await db.pool.query<{ id: number }>(
        `INSERT INTO csm (email, name) VALUES ('a@partner.example', 'A'), ('b@partner.example', 'B') RETURNING id`,
      );
      const insert = (csmId: number, chat: string, userId: string) =>
        db.pool.query(`INSERT INTO chat_identity (csm_id, chat, user_id) VALUES ($1, $2::"ChatChannel", $3)`, [csmId, chat, userId]);
      await insert(a!.id, "slack", "UA");
      await insert(a!.id, "webex", "PA");
      await expect(insert(a!.id, "slack", "UA2")).rejects.toThrow(/chat_identity_csm_id_chat_key/);
      await expect(insert(b!.id, "slack", "UA")).rejects.toThrow(/chat_identity_chat_user_id_key/);
      await expect(insert(b!.id, "preview", "b@partner.example")).rejects.toThrow(/chat_identity_send_chat/);
      await insert(b!.id, "slack", "UB");
      await db.pool.query(`DELETE FROM csm WHERE id = $1`, [a!.id]);
      expect((await db.prisma.chatIdentity.findMany({ select: { csmId: true, userId: true } }))).toEqual([{ csmId: b!.id, userId: "UB" }]);
    } finally {
      await db.close();
    }
  });
});
