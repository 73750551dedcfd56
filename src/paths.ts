import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The package root, whether running from src/ (tests) or dist/src/ (built). */
export const PROJECT_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("lca-bot: cannot find package.json above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
})();

export const projectPath = (...parts: string[]): string => path.join(PROJECT_ROOT, ...parts);
