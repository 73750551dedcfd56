-- Summaries (issue 17): each action on an alert looks for the delivered summaries that list
-- it, to redraw them. Only these few rows are read, not the whole outbox. A partial index, so
-- it is written here only (Prisma's schema cannot state one), like outbox_message_fan_out_idx.
CREATE INDEX "outbox_message_summary_idx" ON "outbox_message"("id") WHERE "kind" = 'summary' AND "status" = 'sent';
