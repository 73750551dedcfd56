-- AlterTable
-- A digest of the snapshot row a use-case deployment was last merged from (its COPY line
-- without the row number): the next snapshot merges only rows whose digest differs.
-- NULL for rows merged before this column existed: they are merged once more, then carry one.
ALTER TABLE "use_case_deployment" ADD COLUMN "content_hash" TEXT;
