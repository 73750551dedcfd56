#!/usr/bin/env node
// The built CLI (npm install builds it; `npm run build` after changing src/).
import { runCli } from "../dist/cli.js";

process.exit(await runCli(process.argv.slice(2)));
