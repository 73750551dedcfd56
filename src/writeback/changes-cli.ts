import type { Queryable } from "../db/sql.js";
import type { Translate, MessageKey } from "../i18n.js";
import { printable } from "../terminal.js";
import { formatChanges, listChanges } from "./changes.js";
import { partnerTags, uploadProblems, uploadRows, writeUploadCsv, writeUploadXlsx } from "./workbook.js";

/** `lca-bot changes`: list the chat changes for LCA, or write the upload workbook (.xlsx and/or .csv). */
export async function runChanges(db: Queryable, options: { all: boolean; json: boolean; xlsx?: string | undefined; csv?: string | undefined; t: Translate }): Promise<number> {
  const changes = await listChanges(db, { all: options.all });
  const files = [options.xlsx, options.csv].filter((f): f is string => f !== undefined);
  if (files.length === 0) {
    console.log(options.json ? JSON.stringify({ changes }) : formatChanges(changes, options));
    return 0;
  }
  const rows = await uploadRows(db);
  // Refused before a byte is written: a file the bot's own ingest would refuse helps nobody.
  const problems = uploadProblems(rows);
  if (problems.length > 0) {
    const message = (p: (typeof problems)[number]) => options.t(`ingest.problems.${p.key}` as MessageKey, p.params);
    if (options.json) console.log(JSON.stringify({ written: false, problems: problems.map((p) => ({ ...p, message: message(p) })) }));
    else {
      console.error(`Not written: ${problems.length} ${problems.length === 1 ? "cell" : "cells"} of the current data would not pass LCA's format:`);
      for (const p of problems) console.error(printable(`  row ${p.row}, ${p.column}: ${message(p)}`));
    }
    return 1;
  }
  if (options.xlsx) await writeUploadXlsx(rows, await partnerTags(db), options.xlsx);
  if (options.csv) await writeUploadCsv(rows, options.csv);
  const open = changes.filter((c) => c.status === "pending" || c.status === "stale").length;
  if (options.json) console.log(JSON.stringify({ written: true, files, rows: rows.length, changes }));
  else console.log(printable(rows.length === 0 ? `Nothing waits for LCA: wrote the header only to ${files.join(" and ")}.` : `Wrote ${rows.length} use-case ${rows.length === 1 ? "row" : "rows"} (${open} pending or stale ${open === 1 ? "change" : "changes"}) to ${files.join(" and ")}: upload the .xlsx to LCA.`));
  return 0;
}
