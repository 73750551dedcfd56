import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { PreviewTokenSetting } from "../../config.js";

/**
 * The preview shows customer data. Who may open it:
 *
 * - PREVIEW_TOKENS (email:token pairs): each token acts as its CSM and nobody else; the
 *   one to use on a shared server.
 * - PREVIEW_TOKEN (one token, kept for compatibility): whoever holds it picks any CSM.
 * - neither (the embedded default): only a browser on this machine, with the CSM picker.
 *
 * A token comes as `?token=…` in the URL (the page's own links and requests carry it on),
 * as the password of basic auth (any user name) or as a bearer token. Tokens are compared
 * in constant time: every configured token is compared, whichever matches.
 */
export type PreviewAccess =
  /** Token-less, from this machine: the CSM picker. */
  | { kind: "local" }
  /** The shared PREVIEW_TOKEN: the CSM picker. */
  | { kind: "shared" }
  /** A PREVIEW_TOKENS token: this CSM only. */
  | { kind: "bound"; email: string };

export interface PreviewAuthSettings {
  token: string | undefined;
  tokens?: readonly PreviewTokenSetting[] | undefined;
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** The token a request presents: `?token=`, basic auth's password, or a bearer token. */
export function presentedToken(req: Request): string | undefined {
  const query = req.query.token;
  if (typeof query === "string" && query) return query;
  const header = req.get("authorization") ?? "";
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : decoded;
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  return bearer?.[1];
}

/** The token to carry on in links, when the request brought it in the URL. */
export function urlToken(req: Request): string | undefined {
  return typeof req.query.token === "string" && req.query.token ? req.query.token : undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const LOCAL_HOST_HEADER = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/**
 * Without a token only a browser on this machine gets in: the connection is from loopback,
 * nothing forwarded it (a reverse proxy on the same machine would make the internet look
 * local) and the Host is local (a DNS-rebinding page names its own host).
 */
function fromThisMachineOnly(req: Request): boolean {
  const forwarded = req.get("x-forwarded-for") ?? req.get("forwarded") ?? req.get("x-real-ip");
  return LOOPBACK.has(req.socket.remoteAddress ?? "") && forwarded === undefined && LOCAL_HOST_HEADER.test(req.get("host") ?? "");
}

/** Which access a presented token grants: every configured token is compared, in constant time each. */
export function matchToken(given: string, settings: PreviewAuthSettings): PreviewAccess | undefined {
  const presented = digest(given);
  let found: PreviewAccess | undefined;
  for (const { email, token } of settings.tokens ?? []) {
    if (timingSafeEqual(presented, digest(token)) && !found) found = { kind: "bound", email };
  }
  if (settings.token !== undefined && timingSafeEqual(presented, digest(settings.token)) && !found) found = { kind: "shared" };
  return found;
}

/** The access a request was granted (set by requireAccess). */
export function accessOf(res: Response): PreviewAccess {
  return (res.locals as { previewAccess: PreviewAccess }).previewAccess;
}

/** Lets a request in with the access its token grants; refuses it with a short JSON answer otherwise. */
export function requireAccess(settings: PreviewAuthSettings) {
  const tokenless = settings.token === undefined && (settings.tokens ?? []).length === 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (tokenless) {
      if (fromThisMachineOnly(req)) {
        res.locals.previewAccess = { kind: "local" } satisfies PreviewAccess;
        return next();
      }
      res.status(403).json({ error: "Without PREVIEW_TOKENS the preview answers only on this machine (localhost). Set PREVIEW_TOKENS to open it to others." });
      return;
    }
    const given = presentedToken(req);
    const access = given === undefined ? undefined : matchToken(given, settings);
    if (access) {
      res.locals.previewAccess = access;
      return next();
    }
    res.setHeader("WWW-Authenticate", 'Basic realm="lca-bot preview", charset="UTF-8"');
    res.status(401).json({ error: "The preview needs a token: open it with ?token=… or sign in with the token as the password." });
  };
}

/**
 * Every preview answer: never cached (it shows customer data and carries a token in its
 * links), scripts only from our own origin (the page has no inline script; its data is a
 * JSON block the browser does not run), never framed, never sniffed, no referrer.
 */
export const PREVIEW_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Security-Policy", PREVIEW_CSP);
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  next();
}
