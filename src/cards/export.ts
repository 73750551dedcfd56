import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Locale } from "../config.js";
import { toBlockKit } from "./blockkit.js";
import { renderCard } from "./render.js";
import { SAMPLE_NOW, SAMPLE_VIEWS } from "./samples.js";
import { CARD_NAMES, type CardName, type CardViews } from "../protocol/views.js";

/**
 * Writes every card, expanded with the demo views, in both renderings:
 * NAME.LOCALE.adaptive.json (what Webex gets) and NAME.LOCALE.slack.json (Block Kit), so
 * anyone can inspect or diff them.
 */
export async function exportCards(outDir: string, locales: readonly Locale[], timeZone = "Europe/Berlin"): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const locale of locales) {
    for (const name of CARD_NAMES) {
      const card = renderCard(name, SAMPLE_VIEWS[name] as CardViews[CardName] as never, { locale, timeZone, now: SAMPLE_NOW });
      const adaptive = path.join(outDir, `${name}.${locale}.adaptive.json`);
      const slack = path.join(outDir, `${name}.${locale}.slack.json`);
      await writeFile(adaptive, `${JSON.stringify(card, null, 2)}\n`);
      await writeFile(slack, `${JSON.stringify(toBlockKit(card), null, 2)}\n`);
      written.push(adaptive, slack);
    }
  }
  return written;
}
