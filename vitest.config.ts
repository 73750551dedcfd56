import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: files run in parallel, each against its own database.
    pool: "forks",
    // CARD_TEMPLATE_CHECK: every card a test renders is expanded by the compiled template and by
    // adaptivecards-templating, and must come out the same (src/cards/template.ts).
    env: { NO_PROXY: "127.0.0.1,localhost", CARD_TEMPLATE_CHECK: "1" },
  },
});
