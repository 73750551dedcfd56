-- Quiet hours per CSM (issue 17): messages to the person that fall inside the window wait
-- in the outbox until it opens. quiet_from/quiet_to are "HH:MM" in the CSM's time zone
-- (both NULL: no nightly window; quiet_from > quiet_to spans midnight); quiet_weekends
-- holds Saturday and Sunday. chat_identity.time_zone is the zone the chat reports for the
-- person (Slack users.info `tz`), used when the CSM never set one of their own.

-- AlterTable
ALTER TABLE "csm" ADD COLUMN "quiet_from" TEXT,
ADD COLUMN "quiet_to" TEXT,
ADD COLUMN "quiet_weekends" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "chat_identity" ADD COLUMN "time_zone" TEXT;
