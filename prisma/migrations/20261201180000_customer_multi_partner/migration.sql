-- Our rule (seed 000, issue 14): a customer (CR Party ID) has bought from more than one
-- partner when its use-case rows in the snapshot carry two or more distinct non-empty
-- Adoption Partner values (trimmed, without case). LCA then shows telemetry only with a
-- digital customer consent (DCC). Set by every ingest's merge, set-based.

-- AlterTable
ALTER TABLE "customer" ADD COLUMN "multi_partner" BOOLEAN NOT NULL DEFAULT false;
