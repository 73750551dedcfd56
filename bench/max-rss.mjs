// Preloaded into the CLI a bench runs (`node --import ./bench/max-rss.mjs bin/lca-bot.js …`):
// writes the process's peak RSS, in KB, to the file BENCH_MAX_RSS_FILE names when it exits.
// Node reports only its own rusage, so the process that is measured has to say it.
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
