-- The bot's own audit rows (issue 17): an escalation (`alert.escalated`) is written by the
-- daily job, not by a person in a chat, so it has no CSM and no chat. NULL channel = the bot.
-- Rows written by people keep naming their chat.

-- AlterTable
ALTER TABLE "audit_entry" ALTER COLUMN "channel" DROP NOT NULL;
