-- The claim (store-claim.ts) takes the head of each destination's lane from the live rows
-- only. In the claim's own order, over live rows only: DISTINCT ON reads the index instead of
-- sorting every live row on each claim (issue 13: the sort was most of a claim's time), and
-- sent rows, the bulk of the table, are not in it. Partial, so written here only (Prisma's
-- schema cannot state one), like outbox_message_summary_idx.
CREATE INDEX "outbox_message_live_heads_idx" ON "outbox_message"("channel", "destination" COLLATE "C", ("kind" = 'refresh'), "id") WHERE "status" IN ('pending', 'failed', 'sending');
