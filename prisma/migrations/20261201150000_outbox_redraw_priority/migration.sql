-- Every card redraw is a refresh row the dispatcher sends; the card a person just clicked
-- carries priority 1 so it is claimed and sent before the rest of the queue.
ALTER TABLE "outbox_message" ADD COLUMN "priority" SMALLINT NOT NULL DEFAULT 0;
