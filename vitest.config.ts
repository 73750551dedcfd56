import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: files run in parallel, each against its own database.
    pool: "forks",
    env: { NO_PROXY: "127.0.0.1,localhost" },
  },
});
