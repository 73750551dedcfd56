-- A change made in chat that LCA must learn (issue 14): kept until a snapshot confirms it,
-- overrides it, or shows it still missing after the grace days. A newer chat change to the
-- same field supersedes the older one (status 'superseded'), so history stays readable.

-- CreateEnum
CREATE TYPE "LcaChangeStatus" AS ENUM ('pending', 'confirmed', 'overridden', 'stale', 'superseded');

-- CreateTable
CREATE TABLE "pending_lca_change" (
    "id" SERIAL NOT NULL,
    "deployment_id" INTEGER NOT NULL,
    "use_case_deployment_id" INTEGER,
    "field" TEXT NOT NULL,
    "value_before" TEXT,
    "value_chat" TEXT,
    "value_lca" TEXT,
    "csm_id" INTEGER NOT NULL,
    "chat" "ChatChannel" NOT NULL,
    "status" "LcaChangeStatus" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMP(3),
    "before_snapshot_id" INTEGER,
    "decided_snapshot_id" INTEGER,

    CONSTRAINT "pending_lca_change_pkey" PRIMARY KEY ("id"),
    -- The fields LCA's upload carries that a chat action can set; the CSM is per deployment,
    -- contacts per use-case deployment.
    CONSTRAINT "pending_lca_change_field" CHECK (
        ("field" = 'csm_email' AND "use_case_deployment_id" IS NULL)
        OR ("field" IN ('partner_contact_1_email', 'partner_contact_1_name', 'partner_contact_2_email', 'partner_contact_2_name')
            AND "use_case_deployment_id" IS NOT NULL))
);

-- At most one open change per field: a new one supersedes the old inside the same unit of work.
CREATE UNIQUE INDEX "pending_lca_change_open_key" ON "pending_lca_change"("deployment_id", COALESCE("use_case_deployment_id", 0), "field")
    WHERE "status" IN ('pending', 'stale');

-- CreateIndex
CREATE INDEX "pending_lca_change_status_idx" ON "pending_lca_change"("status");

-- CreateIndex
CREATE INDEX "pending_lca_change_use_case_deployment_id_idx" ON "pending_lca_change"("use_case_deployment_id");

-- AddForeignKey
ALTER TABLE "pending_lca_change" ADD CONSTRAINT "pending_lca_change_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "pending_lca_change" ADD CONSTRAINT "pending_lca_change_use_case_deployment_id_fkey" FOREIGN KEY ("use_case_deployment_id") REFERENCES "use_case_deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "pending_lca_change" ADD CONSTRAINT "pending_lca_change_csm_id_fkey" FOREIGN KEY ("csm_id") REFERENCES "csm"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "pending_lca_change" ADD CONSTRAINT "pending_lca_change_before_snapshot_id_fkey" FOREIGN KEY ("before_snapshot_id") REFERENCES "snapshot"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "pending_lca_change" ADD CONSTRAINT "pending_lca_change_decided_snapshot_id_fkey" FOREIGN KEY ("decided_snapshot_id") REFERENCES "snapshot"("id") ON DELETE SET NULL ON UPDATE CASCADE;
