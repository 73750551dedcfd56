import type { PrismaClient } from "../db/database.js";
import type { IsoDate } from "../domain/dates.js";
import type { StallThresholds } from "../domain/stages.js";

/** What the read side needs to know besides the database. */
export interface QueryContext {
  prisma: PrismaClient;
  today: IsoDate;
  stallThresholds: StallThresholds;
  lcaUrl: (deploymentId: string) => string;
}
