import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from "express";
import { AppError } from "../errors.js";
import { pinoHttp } from "pino-http";
import type { Logger } from "../log.js";

/**
 * What the bot answers when a request fails before any handler owns it (a body that is not
 * JSON, too large, a bad percent-encoding in the path): a short `{"error": …}` with the
 * status, never Express's HTML page with a stack. Unexpected errors are logged, not shown.
 */
export function jsonErrors(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const given = (error as { status?: unknown; statusCode?: unknown }) ?? {};
    const raw = typeof given.status === "number" ? given.status : typeof given.statusCode === "number" ? given.statusCode : 500;
    const status = raw >= 400 && raw < 600 ? raw : 500;
    if (status >= 500) log.error({ err: error, path: req.path }, "request failed");
    else log.warn({ status, type: (error as { type?: unknown }).type, path: req.path }, "request refused");
    res.status(status).json({ error: ERROR_TEXT[status] ?? (status >= 500 ? "internal error" : "bad request") });
  };
}

const ERROR_TEXT: Record<number, string> = {
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  413: "request body too large",
  415: "unsupported media type",
  500: "internal error",
};

/** For a path that has only some methods: anything else is 405 with Allow, as JSON. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (_req, res) => {
    res.setHeader("Allow", allowed.join(", "));
    res.status(405).json({ error: ERROR_TEXT[405] });
  };
}

export interface Readiness {
  /** Each part that must be up before the service takes traffic, and whether it is. */
  checks(): Promise<Record<string, boolean>>;
}

export interface HttpServer {
  app: Express;
  server: Server;
  url: string;
  mount(path: string, router: Router): void;
  close(): Promise<void>;
}

/**
 * The one HTTP server: health and readiness here; chat webhooks and the preview mount their
 * own routers. Chat routes need the raw body for signatures, so no global body parser.
 */
export async function startHttpServer(options: { port: number; host: string; log: Logger; readiness: Readiness; started: () => boolean }): Promise<HttpServer> {
  const app = express();
  app.disable("x-powered-by");
  // Every request gets an id (the caller's X-Request-Id or a new one) on its log lines and
  // answer. Only the path is logged: preview links carry a token in the query.
  app.use(
    pinoHttp({
      logger: options.log,
      genReqId: (req, res) => {
        const given = req.headers["x-request-id"];
        const id = typeof given === "string" && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split("?")[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/readyz" || req.url === "/metrics" },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "debug"),
    }),
  );
  app.get("/healthz", (_req, res) => {
    if (options.started()) res.status(200).json({ status: "ok" });
    else res.status(503).json({ status: "starting" });
  });
  app.get("/readyz", async (_req, res) => {
    const checks = await options.readiness.checks().catch(() => ({ database: false }));
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks });
  });
  app.all(["/healthz", "/readyz"], methodNotAllowed(["GET", "HEAD"]));
  const routers = express.Router();
  app.use(routers);
  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  app.use(jsonErrors(options.log));

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, options.host, options.port)));
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    url: `http://localhost:${port}`,
    mount: (path, router) => routers.use(path, router),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Codes of a HOST that is no address of this machine: unknown name, foreign address, wrong family. */
const BAD_HOST = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EINVAL"]);

/** Why the server could not listen, as the operator can act on it (PORT or HOST). */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): AppError {
  const params = { host, port, reason: error.code ?? error.message };
  if (error.code === "EADDRINUSE") return new AppError("server.portInUse", params, error);
  if (error.code !== undefined && BAD_HOST.has(error.code)) return new AppError("server.badHost", params, error);
  return new AppError("server.listenFailed", { ...params, reason: error.message }, error);
}
