import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { AppError } from "../errors.js";
import { maskUrl, maskUrlsIn } from "../redact.js";

const SNAPSHOT_EXTENSIONS = new Set([".xlsx", ".csv", ".json"]);

export interface FetchedSnapshot {
  file: string;
  /** Removes a downloaded copy; a file in the partner's folder stays where it is. */
  release(): Promise<void>;
}

/**
 * The newest snapshot in the feed: a folder the partner drops exports into (newest by
 * modification time), or an HTTPS URL (downloaded to a temporary file).
 */
export async function fetchNewestSnapshot(feed: string): Promise<FetchedSnapshot> {
  return /^https?:\/\//i.test(feed) ? download(feed) : newestInFolder(feed);
}

async function newestInFolder(folder: string): Promise<FetchedSnapshot> {
  const names = await readdir(folder).catch((error: Error) => {
    throw new AppError("ingest.feedUnreadable", { feed: folder, reason: error.message }, error);
  });
  const candidates = await Promise.all(
    names
      .filter((name) => SNAPSHOT_EXTENSIONS.has(path.extname(name).toLowerCase()) && !name.startsWith("~$"))
      .map(async (name) => ({ file: path.join(folder, name), mtime: (await stat(path.join(folder, name))).mtimeMs })),
  );
  const newest = candidates.sort((a, b) => b.mtime - a.mtime || b.file.localeCompare(a.file))[0];
  if (!newest) throw new AppError("ingest.feedEmpty", { feed: folder });
  return { file: newest.file, release: async () => undefined };
}

async function download(url: string): Promise<FetchedSnapshot> {
  const response = await fetch(url).catch((error: Error) => {
    throw new AppError("ingest.feedUnreadable", { feed: maskUrl(url), reason: maskUrlsIn(error.message) }, error);
  });
  if (!response.ok || !response.body) throw new AppError("ingest.feedUnreadable", { feed: maskUrl(url), reason: `HTTP ${response.status}` });
  const name = path.basename(new URL(url).pathname) || "snapshot";
  const extension = SNAPSHOT_EXTENSIONS.has(path.extname(name).toLowerCase()) ? "" : contentTypeExtension(response.headers.get("content-type"));
  const dir = await mkdtemp(path.join(tmpdir(), "lca-feed-"));
  const file = path.join(dir, name + extension);
  await pipeline(Readable.fromWeb(response.body as WebReadableStream), createWriteStream(file));
  return { file, release: () => rm(dir, { recursive: true, force: true }) };
}

function contentTypeExtension(contentType: string | null): string {
  if (contentType?.includes("spreadsheetml")) return ".xlsx";
  if (contentType?.includes("json")) return ".json";
  return ".csv";
}
