import { createHmac, timingSafeEqual } from "node:crypto";
import { parse as parseQuery } from "node:querystring";
import express, { type RequestHandler } from "express";
import type { Logger } from "../../log.js";
import type { ReplayGuard } from "../replay.js";

/**
 * What runs before Bolt on POST /slack/events. Bolt checks the signature and refuses a
 * timestamp more than five minutes old, but accepts one from the future (its check is
 * `ts < now - 5 min` only: node_modules/@slack/bolt/dist/receivers/verify-request.js), and it
 * answers failures with an empty body. Here, in this order:
 *
 * 1. the raw body (at most 1 MB; more is a JSON 413 from the server's error handler);
 * 2. X-Slack-Request-Timestamp within five minutes of now, past or future, else 401;
 * 3. X-Slack-Signature, HMAC-SHA256 of `v0:{ts}:{body}`, compared in constant time, else 401;
 * 4. a JSON or form body that parses, else 400;
 * 5. replay: an Events API event is remembered by its `event_id` (Slack's retries carry the
 *    same one), any other signed request by its signature (a replay must reuse it); one
 *    seen before is acknowledged with an empty 200 and not handed on. A button click
 *    (`block_actions`) is the exception: its id goes on as `req.replayId` (Bolt's custom
 *    property `replayId`) and the click listener checks it right after its ack, so no
 *    database round trip stands between a click and its ack (Slack gives 3 s, a person
 *    waits for the spinner); a replay is then acknowledged with the same empty 200 and dropped.
 *
 * Then Bolt gets the same bytes (as `req.rawBody`) and does its own checks again.
 */
export const MAX_SKEW_SECONDS = 5 * 60;

export interface SlackGuardOptions {
  signingSecret: string;
  replay: ReplayGuard;
  log: Logger;
  now?: () => number;
}

export function slackRequestGuard(options: SlackGuardOptions): RequestHandler[] {
  const now = options.now ?? Date.now;
  const refuse = (res: express.Response, status: number, error: string) => void res.status(status).json({ error });

  const guard: RequestHandler = async (req, res, next) => {
    const raw: unknown = req.body;
    if (!Buffer.isBuffer(raw)) {
      options.log.error("slack: the request body was parsed before the channel saw it; mount the Slack router before any body parser");
      return refuse(res, 500, "body unavailable");
    }
    const timestamp = req.get("x-slack-request-timestamp") ?? "";
    const signature = req.get("x-slack-signature") ?? "";
    if (!/^\d{1,12}$/.test(timestamp)) {
      options.log.warn({ ip: req.ip }, "slack: request refused, missing or malformed X-Slack-Request-Timestamp");
      return refuse(res, 401, "invalid signature");
    }
    const skew = Number(timestamp) - Math.floor(now() / 1000);
    if (Math.abs(skew) > MAX_SKEW_SECONDS) {
      options.log.warn({ ip: req.ip, skewSeconds: skew }, skew > 0 ? "slack: request refused, timestamp in the future" : "slack: request refused, timestamp too old");
      return refuse(res, 401, "stale or future timestamp");
    }
    if (!validSignature(options.signingSecret, timestamp, raw, signature)) {
      options.log.warn({ ip: req.ip, signed: signature !== "" }, "slack: request refused, missing or wrong X-Slack-Signature");
      return refuse(res, 401, "invalid signature");
    }
    let body: unknown;
    try {
      body = parseBody(raw.toString("utf8"), req.get("content-type"));
    } catch {
      return refuse(res, 400, "body is neither JSON nor a Slack form");
    }
    const id = replayId(body, signature);
    if (id !== undefined && isButtonClick(body)) {
      (req as { replayId?: string }).replayId = id;
    } else if (id !== undefined) {
      let first: boolean;
      try {
        first = await options.replay.firstTime(id);
      } catch (error) {
        options.log.error({ err: error }, "slack: cannot record the request id (database)");
        return refuse(res, 503, "unavailable");
      }
      if (!first) {
        options.log.info({ id: id.startsWith("event:") ? id : "signature", retry: req.get("x-slack-retry-num") }, "slack: request received again, acknowledged and ignored");
        res.status(200).end();
        return;
      }
    }
    (req as { rawBody?: Buffer }).rawBody = raw;
    next();
  };

  return [express.raw({ type: () => true, limit: "1mb" }), guard];
}

function validSignature(secret: string, timestamp: string, raw: Buffer, given: string): boolean {
  const match = /^v0=([0-9a-f]{64})$/.exec(given);
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(`v0:${timestamp}:`).update(raw).digest();
  return timingSafeEqual(Buffer.from(match[1]!, "hex"), expected);
}

/** As Bolt reads it: a form (with `payload` holding JSON for interactions), else JSON. */
function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType === "application/x-www-form-urlencoded") {
    const form = parseQuery(text);
    return typeof form.payload === "string" ? JSON.parse(form.payload) : form;
  }
  return JSON.parse(text);
}

/** A block_actions interaction: acknowledged before its replay check (see step 5). */
function isButtonClick(body: unknown): boolean {
  return typeof body === "object" && body !== null && (body as { type?: unknown }).type === "block_actions";
}

/** What makes a request "the same" again; undefined for Slack's checks (url_verification, ssl_check), which change nothing. */
function replayId(body: unknown, signature: string): string | undefined {
  const b = (typeof body === "object" && body !== null ? body : {}) as { type?: unknown; event_id?: unknown; ssl_check?: unknown };
  if (b.type === "url_verification" || b.ssl_check !== undefined) return undefined;
  if (b.type === "event_callback" && typeof b.event_id === "string" && b.event_id) return `event:${b.event_id}`;
  return `sig:${signature.slice(3)}`;
}

/**
 * Socket Mode has no HTTP request to guard: Bolt acknowledges an event before its global
 * middleware runs, so this middleware drops an event whose `event_id` was handled before
 * (Slack redelivers over the socket too), across restarts. Commands and clicks over the
 * socket carry no id that survives a redelivery and pass as before.
 */
export function socketEventReplayMiddleware(replay: ReplayGuard, log: Logger) {
  return async ({ body, next }: { body: unknown; next: () => Promise<void> }): Promise<void> => {
    const b = (typeof body === "object" && body !== null ? body : {}) as { type?: unknown; event_id?: unknown };
    if (b.type === "event_callback" && typeof b.event_id === "string" && b.event_id) {
      if (!(await replay.firstTime(`event:${b.event_id}`))) {
        log.info({ id: `event:${b.event_id}` }, "slack: event received again over the socket, ignored");
        return;
      }
    }
    await next();
  };
}
