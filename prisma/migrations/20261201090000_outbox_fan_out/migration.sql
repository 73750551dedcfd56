-- A person's outbox row may name no chat: the running service's dispatcher fans it out to
-- every chat it has, so routing never depends on the chats of the process that ingested.
ALTER TABLE "outbox_message" ALTER COLUMN "channel" DROP NOT NULL;

-- Rows waiting to be fanned out, found without a scan.
CREATE INDEX "outbox_message_fan_out_idx" ON "outbox_message"("id") WHERE "channel" IS NULL AND "status" = 'pending';
