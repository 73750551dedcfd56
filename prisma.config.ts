import { defineConfig } from "prisma/config";

// The CLI only generates the client here; migrations are applied by src/db/migrate.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
