-- A CSM's chat accounts move from one column per chat on "csm" to one row per (CSM, chat),
-- so a new chat needs no new column. Today's links are carried over, then the columns go.

-- CreateTable
CREATE TABLE "chat_identity" (
    "id" SERIAL NOT NULL,
    "csm_id" INTEGER NOT NULL,
    "chat" "ChatChannel" NOT NULL,
    "user_id" TEXT NOT NULL,
    "locale" TEXT,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chat_identity_pkey" PRIMARY KEY ("id"),
    -- Only chats with a platform user id; the preview and the CLI identify by email.
    -- A new chat adds its enum value and widens this in the same migration.
    CONSTRAINT "chat_identity_send_chat" CHECK ("chat" IN ('webex', 'slack'))
);

-- CreateIndex
CREATE UNIQUE INDEX "chat_identity_chat_user_id_key" ON "chat_identity"("chat", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "chat_identity_csm_id_chat_key" ON "chat_identity"("csm_id", "chat");

-- AddForeignKey
ALTER TABLE "chat_identity" ADD CONSTRAINT "chat_identity_csm_id_fkey" FOREIGN KEY ("csm_id") REFERENCES "csm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Carry today's links over. They were only ever made from a verified email, hence verified.
-- The one platform_locale was what a platform last reported for the person (Slack, in
-- practice): it goes to every row of that CSM, so cards keep the language they have today.
-- When each link was made is not known: the rows are dated now.
INSERT INTO "chat_identity" ("csm_id", "chat", "user_id", "locale", "verified")
SELECT "id", 'webex', "webex_person_id", "platform_locale", true
FROM "csm" WHERE "webex_person_id" IS NOT NULL;

INSERT INTO "chat_identity" ("csm_id", "chat", "user_id", "locale", "verified")
SELECT "id", 'slack', "slack_user_id", "platform_locale", true
FROM "csm" WHERE "slack_user_id" IS NOT NULL;

-- DropIndex
DROP INDEX "csm_webex_person_id_key";

-- DropIndex
DROP INDEX "csm_slack_user_id_key";

-- AlterTable
ALTER TABLE "csm" DROP COLUMN "platform_locale",
DROP COLUMN "webex_person_id",
DROP COLUMN "slack_user_id";
