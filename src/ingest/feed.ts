import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Transform } from "node:stream";
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

/** Bounds of an HTTPS feed download (LCA_FEED_MAX_BYTES, LCA_FEED_TIMEOUT_MS). */
export interface FeedLimits {
  maxBytes: number;
  timeoutMs: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = { maxBytes: 200 * 1024 * 1024, timeoutMs: 60_000 };

/**
 * The newest snapshot in the feed: a folder the partner drops exports into (newest by
 * modification time), or an HTTPS URL (downloaded to a temporary file, within `limits`).
 */
export async function fetchNewestSnapshot(feed: string, limits: FeedLimits = DEFAULT_FEED_LIMITS): Promise<FetchedSnapshot> {
  return /^https?:\/\//i.test(feed) ? download(feed, limits) : newestInFolder(feed);
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

/**
 * Downloads the export, refusing it once more than `maxBytes` arrived (or the server says
 * so up front) and stopping after `timeoutMs` however slowly bytes trickle in: a hostile or
 * broken server can neither fill the disk nor hold the refresh forever.
 */
async function download(url: string, limits: FeedLimits): Promise<FetchedSnapshot> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limits.timeoutMs);
  const timeout = () => new AppError("ingest.feedTimeout", { feed: maskUrl(url), ms: limits.timeoutMs });
  const tooLarge = () => new AppError("ingest.feedTooLarge", { feed: maskUrl(url), max: limits.maxBytes });
  let dir: string | undefined;
  try {
    const response = await fetch(url, { signal: controller.signal }).catch((error: Error) => {
      throw timedOut ? timeout() : new AppError("ingest.feedUnreadable", { feed: maskUrl(url), reason: maskUrlsIn(error.message) }, error);
    });
    if (!response.ok || !response.body) {
      controller.abort();
      throw new AppError("ingest.feedUnreadable", { feed: maskUrl(url), reason: `HTTP ${response.status}` });
    }
    const declared = Number(response.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      controller.abort();
      throw tooLarge();
    }
    const name = path.basename(new URL(url).pathname) || "snapshot";
    const extension = SNAPSHOT_EXTENSIONS.has(path.extname(name).toLowerCase()) ? "" : contentTypeExtension(response.headers.get("content-type"));
    dir = await mkdtemp(path.join(tmpdir(), "lca-feed-"));
    const file = path.join(dir, name + extension);
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > limits.maxBytes) callback(tooLarge());
        else callback(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), counter, createWriteStream(file)).catch((error: unknown) => {
      controller.abort();
      if (error instanceof AppError) throw error;
      if (timedOut) throw timeout();
      throw new AppError("ingest.feedUnreadable", { feed: maskUrl(url), reason: maskUrlsIn(error instanceof Error ? error.message : String(error)) }, error);
    });
    const downloaded = dir;
    dir = undefined; // the caller's now
    return { file, release: () => rm(downloaded, { recursive: true, force: true }) };
  } finally {
    clearTimeout(timer);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

function contentTypeExtension(contentType: string | null): string {
  if (contentType?.includes("spreadsheetml")) return ".xlsx";
  if (contentType?.includes("json")) return ".json";
  return ".csv";
}
