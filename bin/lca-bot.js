#!/usr/bin/env node
// The built CLI (npm install builds it; `npm run build` after changing src/).
const cli = await import("../dist/cli.js").catch((error) => {
  // Not built yet: say what to do, rather than a module-loader stack trace.
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/cli.js")) throw error;
  console.error("lca-bot is not built yet: run `npm run build` (npm install does it too), then try again.");
  process.exit(2);
});

process.exit(await cli.runCli(process.argv.slice(2)));
