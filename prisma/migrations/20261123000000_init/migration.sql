-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Stage" AS ENUM ('purchase', 'onboard', 'implement', 'use', 'engage', 'adopt', 'optimize');

-- CreateEnum
CREATE TYPE "ContactSource" AS ENUM ('cisco', 'partner');

-- CreateEnum
CREATE TYPE "DeliveryBarrier" AS ENUM ('none', 'hard_bounce', 'unsubscribed');

-- CreateEnum
CREATE TYPE "AlertKind" AS ENUM ('new_use_case', 'stalled', 'bounced_contact', 'missing_contact', 'regression');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('open', 'resolved');

-- CreateEnum
CREATE TYPE "RecommendationStatus" AS ENUM ('open', 'closed');

-- CreateEnum
CREATE TYPE "RecommendationActionKind" AS ENUM ('contacted_customer', 'meeting_scheduled', 'working_adoption_barrier', 'not_my_customer', 'customer_declined', 'data_issue_reported');

-- CreateEnum
CREATE TYPE "ChatChannel" AS ENUM ('webex', 'slack', 'preview', 'cli');

-- CreateEnum
CREATE TYPE "DeliveryMode" AS ENUM ('immediate', 'digest');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('pending', 'sending', 'sent', 'failed', 'dead', 'superseded');

-- CreateTable
CREATE TABLE "partner_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "name" TEXT NOT NULL,
    "email_domains" TEXT[],
    "default_locale" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "stall_thresholds" JSONB NOT NULL,
    "reminder_days" INTEGER NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "partner_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "csm" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "locale" TEXT,
    "platform_locale" TEXT,
    "time_zone" TEXT,
    "webex_person_id" TEXT,
    "slack_user_id" TEXT,
    "digest_enabled" BOOLEAN NOT NULL DEFAULT true,
    "digest_time" TEXT NOT NULL DEFAULT '08:00',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "csm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer" (
    "id" SERIAL NOT NULL,
    "cr_party_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "cxbu" TEXT,
    "ea" BOOLEAN,
    "theater" TEXT,
    "excluded" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment" (
    "id" SERIAL NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "customer_id" INTEGER NOT NULL,
    "install_site" TEXT,
    "serial_number" TEXT,
    "contract_number" TEXT,
    "assigned_csm_id" INTEGER,
    "lca_csm_email" TEXT,
    "lead" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "use_case" (
    "id" SERIAL NOT NULL,
    "architecture" TEXT NOT NULL,
    "solution_domain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "cpi_available" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "use_case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "use_case_deployment" (
    "id" SERIAL NOT NULL,
    "deployment_id" INTEGER NOT NULL,
    "use_case_id" INTEGER NOT NULL,
    "stage" "Stage" NOT NULL,
    "stage_entered_on" DATE NOT NULL,
    "added_on" DATE NOT NULL,
    "telemetry" BOOLEAN NOT NULL DEFAULT false,
    "dcc" BOOLEAN NOT NULL DEFAULT false,
    "adoption_partner" TEXT,
    "cpi_eligible" BOOLEAN,
    "renewal_on" DATE,
    "excluded" BOOLEAN NOT NULL DEFAULT false,
    "tags" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "first_seen_on" DATE NOT NULL,
    "removed_on" DATE,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "use_case_deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stage_change" (
    "id" SERIAL NOT NULL,
    "use_case_deployment_id" INTEGER NOT NULL,
    "from_stage" "Stage",
    "to_stage" "Stage" NOT NULL,
    "entered_on" DATE NOT NULL,
    "observed_on" DATE NOT NULL,

    CONSTRAINT "stage_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact" (
    "id" SERIAL NOT NULL,
    "use_case_deployment_id" INTEGER NOT NULL,
    "source" "ContactSource" NOT NULL,
    "slot" INTEGER NOT NULL,
    "name" TEXT,
    "email" TEXT NOT NULL,
    "delivery_barrier" "DeliveryBarrier" NOT NULL DEFAULT 'none',
    "lca_email" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recommendation" (
    "id" SERIAL NOT NULL,
    "use_case_deployment_id" INTEGER NOT NULL,
    "kind" "AlertKind" NOT NULL,
    "status" "RecommendationStatus" NOT NULL DEFAULT 'open',
    "opened_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "recommendation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recommendation_action" (
    "id" SERIAL NOT NULL,
    "recommendation_id" INTEGER NOT NULL,
    "action" "RecommendationActionKind" NOT NULL,
    "comment" TEXT,
    "csm_id" INTEGER NOT NULL,
    "channel" "ChatChannel" NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recommendation_action_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert" (
    "id" SERIAL NOT NULL,
    "kind" "AlertKind" NOT NULL,
    "subject" TEXT NOT NULL,
    "use_case_deployment_id" INTEGER NOT NULL,
    "recommendation_id" INTEGER,
    "status" "AlertStatus" NOT NULL DEFAULT 'open',
    "facts" JSONB NOT NULL,
    "opened_on" DATE NOT NULL,
    "opened_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMP(3),
    "resolution" TEXT,
    "last_notified_on" DATE,
    "reminder_count" INTEGER NOT NULL DEFAULT 0,
    "snoozed_until" TIMESTAMP(3),
    "acted_by_id" INTEGER,
    "acted_at" TIMESTAMP(3),
    "last_action" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "team_space" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "channel" "ChatChannel" NOT NULL,
    "address" TEXT NOT NULL,
    "receives_unassigned" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "team_space_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subscription" (
    "id" SERIAL NOT NULL,
    "csm_id" INTEGER,
    "team_space_id" INTEGER,
    "kinds" "AlertKind"[],
    "filters" JSONB NOT NULL DEFAULT '{}',
    "mode" "DeliveryMode" NOT NULL DEFAULT 'immediate',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "csm_id" INTEGER,
    "channel" "ChatChannel" NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_message" (
    "id" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "channel" "ChatChannel" NOT NULL,
    "destination" TEXT NOT NULL,
    "csm_id" INTEGER,
    "alert_id" INTEGER,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "sent_at" TIMESTAMP(3),
    "external_id" TEXT,
    "conversation_id" TEXT,
    "dedupe_key" TEXT NOT NULL,

    CONSTRAINT "outbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshot" (
    "id" SERIAL NOT NULL,
    "as_of" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "rows_read" INTEGER NOT NULL,
    "is_demo" BOOLEAN NOT NULL DEFAULT false,
    "is_baseline" BOOLEAN NOT NULL DEFAULT false,
    "summary" JSONB NOT NULL,
    "applied_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_run" (
    "job" TEXT NOT NULL,
    "slot" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),
    "outcome" TEXT,

    CONSTRAINT "job_run_pkey" PRIMARY KEY ("job","slot")
);

-- CreateIndex
CREATE UNIQUE INDEX "csm_email_key" ON "csm"("email");

-- CreateIndex
CREATE UNIQUE INDEX "csm_webex_person_id_key" ON "csm"("webex_person_id");

-- CreateIndex
CREATE UNIQUE INDEX "csm_slack_user_id_key" ON "csm"("slack_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "customer_cr_party_id_key" ON "customer"("cr_party_id");

-- CreateIndex
CREATE INDEX "customer_name_idx" ON "customer"("name");

-- CreateIndex
CREATE UNIQUE INDEX "deployment_deployment_id_key" ON "deployment"("deployment_id");

-- CreateIndex
CREATE INDEX "deployment_customer_id_idx" ON "deployment"("customer_id");

-- CreateIndex
CREATE INDEX "deployment_assigned_csm_id_idx" ON "deployment"("assigned_csm_id");

-- CreateIndex
CREATE UNIQUE INDEX "use_case_architecture_solution_domain_name_key" ON "use_case"("architecture", "solution_domain", "name");

-- CreateIndex
CREATE INDEX "use_case_deployment_active_stage_stage_entered_on_idx" ON "use_case_deployment"("active", "stage", "stage_entered_on");

-- CreateIndex
CREATE INDEX "use_case_deployment_active_added_on_idx" ON "use_case_deployment"("active", "added_on");

-- CreateIndex
CREATE INDEX "use_case_deployment_use_case_id_idx" ON "use_case_deployment"("use_case_id");

-- CreateIndex
CREATE INDEX "use_case_deployment_tags_idx" ON "use_case_deployment" USING GIN ("tags");

-- CreateIndex
CREATE UNIQUE INDEX "use_case_deployment_deployment_id_use_case_id_key" ON "use_case_deployment"("deployment_id", "use_case_id");

-- CreateIndex
CREATE INDEX "stage_change_use_case_deployment_id_observed_on_idx" ON "stage_change"("use_case_deployment_id", "observed_on");

-- CreateIndex
CREATE INDEX "contact_email_idx" ON "contact"("email");

-- CreateIndex
CREATE INDEX "contact_delivery_barrier_idx" ON "contact"("delivery_barrier");

-- CreateIndex
CREATE UNIQUE INDEX "contact_use_case_deployment_id_source_slot_key" ON "contact"("use_case_deployment_id", "source", "slot");

-- CreateIndex
CREATE INDEX "recommendation_use_case_deployment_id_kind_status_idx" ON "recommendation"("use_case_deployment_id", "kind", "status");

-- CreateIndex
CREATE INDEX "recommendation_action_recommendation_id_idx" ON "recommendation_action"("recommendation_id");

-- CreateIndex
CREATE INDEX "alert_status_kind_idx" ON "alert"("status", "kind");

-- CreateIndex
CREATE INDEX "alert_use_case_deployment_id_status_idx" ON "alert"("use_case_deployment_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "team_space_channel_address_key" ON "team_space"("channel", "address");

-- CreateIndex
CREATE INDEX "subscription_csm_id_idx" ON "subscription"("csm_id");

-- CreateIndex
CREATE INDEX "subscription_team_space_id_idx" ON "subscription"("team_space_id");

-- CreateIndex
CREATE INDEX "audit_entry_entity_entity_id_idx" ON "audit_entry"("entity", "entity_id");

-- CreateIndex
CREATE INDEX "audit_entry_at_idx" ON "audit_entry"("at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_message_dedupe_key_key" ON "outbox_message"("dedupe_key");

-- CreateIndex
CREATE INDEX "outbox_message_status_next_attempt_at_idx" ON "outbox_message"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "outbox_message_destination_id_idx" ON "outbox_message"("destination", "id");

-- CreateIndex
CREATE INDEX "outbox_message_alert_id_idx" ON "outbox_message"("alert_id");

-- CreateIndex
CREATE INDEX "snapshot_applied_at_idx" ON "snapshot"("applied_at");

-- AddForeignKey
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment" ADD CONSTRAINT "deployment_assigned_csm_id_fkey" FOREIGN KEY ("assigned_csm_id") REFERENCES "csm"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "use_case_deployment" ADD CONSTRAINT "use_case_deployment_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "use_case_deployment" ADD CONSTRAINT "use_case_deployment_use_case_id_fkey" FOREIGN KEY ("use_case_id") REFERENCES "use_case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stage_change" ADD CONSTRAINT "stage_change_use_case_deployment_id_fkey" FOREIGN KEY ("use_case_deployment_id") REFERENCES "use_case_deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact" ADD CONSTRAINT "contact_use_case_deployment_id_fkey" FOREIGN KEY ("use_case_deployment_id") REFERENCES "use_case_deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation" ADD CONSTRAINT "recommendation_use_case_deployment_id_fkey" FOREIGN KEY ("use_case_deployment_id") REFERENCES "use_case_deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_action" ADD CONSTRAINT "recommendation_action_recommendation_id_fkey" FOREIGN KEY ("recommendation_id") REFERENCES "recommendation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_action" ADD CONSTRAINT "recommendation_action_csm_id_fkey" FOREIGN KEY ("csm_id") REFERENCES "csm"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_use_case_deployment_id_fkey" FOREIGN KEY ("use_case_deployment_id") REFERENCES "use_case_deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_recommendation_id_fkey" FOREIGN KEY ("recommendation_id") REFERENCES "recommendation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_acted_by_id_fkey" FOREIGN KEY ("acted_by_id") REFERENCES "csm"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_csm_id_fkey" FOREIGN KEY ("csm_id") REFERENCES "csm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_team_space_id_fkey" FOREIGN KEY ("team_space_id") REFERENCES "team_space"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_entry" ADD CONSTRAINT "audit_entry_csm_id_fkey" FOREIGN KEY ("csm_id") REFERENCES "csm"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_message_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Not expressible in the Prisma schema: at most one open alert per subject and kind,
-- which makes re-ingesting a snapshot idempotent even under concurrent refreshes.
CREATE UNIQUE INDEX "alert_open_subject_key" ON "alert"("kind", "subject") WHERE "status" = 'open';
