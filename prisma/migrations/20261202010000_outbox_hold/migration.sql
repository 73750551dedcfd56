-- A 429 tells us to back off what the chat's limit covers (a Slack channel, the whole Webex
-- bot), not only the message that met it: until "held_until" the claim takes no row there,
-- whichever lane or instance it is in. destination '*' covers every destination of the chat.
CREATE TABLE "outbox_hold" (
    "channel" "ChatChannel" NOT NULL,
    "destination" TEXT NOT NULL,
    "held_until" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "outbox_hold_pkey" PRIMARY KEY ("channel","destination")
);
