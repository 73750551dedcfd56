-- Event ids a chat delivered and the bot handled (Webex webhook events, Slack events and
-- signed requests), so a retry or a replayed request acts once, across restarts and across
-- instances sharing the database. Rows older than a day are purged by the bot.

-- CreateTable
CREATE TABLE "processed_event" (
    "chat" "ChatChannel" NOT NULL,
    "event_id" TEXT NOT NULL,
    "seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("chat","event_id")
);

-- CreateIndex
CREATE INDEX "processed_event_seen_at_idx" ON "processed_event"("seen_at");
