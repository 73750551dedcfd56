-- A contact alert fixed in chat stays open until a snapshot shows the fix (issue 14):
-- 'waiting' while the fix is within its grace days (no reminders), 'upload_pending' once it
-- went stale (reminders resume). NULL: an ordinary alert. A flag, not a status, so every list
-- of open alerts keeps showing it.

-- CreateEnum
CREATE TYPE "LcaWait" AS ENUM ('waiting', 'upload_pending');

-- AlterTable
ALTER TABLE "alert" ADD COLUMN "lca_wait" "LcaWait";
