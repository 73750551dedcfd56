import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

/**
 * The preview shows customer data, so with PREVIEW_TOKEN set every route wants it: as
 * `?token=…` in the URL (the page's own links and requests carry it on) or as the password
 * of basic auth (any user name). Without a token (the embedded default) it answers only
 * this machine: a newcomer's laptop, not everyone on its network.
 */

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

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

export function requireToken(token: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (token === undefined) {
      if (fromThisMachineOnly(req)) return next();
      res.status(403).type("text/plain").send("Without PREVIEW_TOKEN the preview answers only on this machine (localhost). Set PREVIEW_TOKEN to open it to others.\n");
      return;
    }
    const given = presentedToken(req);
    if (given !== undefined && sameSecret(given, token)) return next();
    res.setHeader("WWW-Authenticate", 'Basic realm="lca-bot preview", charset="UTF-8"');
    res.status(401).type("text/plain").send("The preview needs PREVIEW_TOKEN: open it with ?token=… or sign in with the token as the password.\n");
  };
}
