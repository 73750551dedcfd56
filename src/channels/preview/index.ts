import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from "express";
import type { ConversationDeps } from "../../actions/context.js";
import { handleAction, handleMessage } from "../../actions/conversation.js";
import type { AnyCard } from "../../protocol/effects.js";
import { fallbackText, type RenderContext } from "../../cards/render.js";
import { SAMPLE_NOW, SAMPLE_VIEWS } from "../../cards/samples.js";
import { CARD_NAMES, type CardName } from "../../protocol/views.js";
import type { Config, Locale } from "../../config.js";
import { translator } from "../../i18n.js";
import type { Logger } from "../../log.js";
import { projectPath } from "../../paths.js";
import { writeRefusalAudit } from "../../actions/audit.js";
import { AppError, isAppError, type ErrorCode } from "../../errors.js";
import { methodNotAllowed } from "../../server/http.js";
import type { ChatChannel } from "../../protocol/channel.js";
import { accessOf, requireAccess, securityHeaders, urlToken, type PreviewAccess } from "./auth.js";
import { findCsm, INBOX_SECTIONS, listCsms, loadInbox, type InboxItem, type InboxSection } from "./inbox.js";
import { forbiddenPage, galleryPage, inboxPage, link, pickerPage, type PageContext, type PageItem } from "./pages.js";
import { actionBody, identity, localeSchema, messageBody, queryString } from "./inbound.js";
import { messageText, presentOutcome, renderBoth, type PreviewAnswer } from "./present.js";

/**
 * The preview channel: the bot without a chat platform. Like the Webex and Slack adapters
 * it verifies (the token), translates to the pipeline's calls (handleMessage,
 * handleAction with the CSM's email as a verified identity), and presents the effects; it
 * also shows what the outbox holds for the CSM, and every card in a gallery.
 *
 *   GET  /                  CSM picker; ?csm=<email> opens that CSM's inbox; &lang=en|ru renders it in that language
 *   GET  /cards?locale=en   every card with its sample data (Webex and Slack side by side)
 *   GET  /assets/<file>     the official adaptivecards renderer and its CSS, the page script and CSS
 *   POST /api/message       { csm, text, locale? }  → PreviewAnswer
 *   POST /api/action        { csm, data, locale? }  → PreviewAnswer (data: Action.Submit data merged with the inputs)
 *   GET  /api/changes.xlsx  ?csm=  the LCA upload workbook (admins)
 *   GET  /api/team.png      ?csm=  the team chart (admins and team leads)
 *   GET  /api/inbox?csm=    the inbox as JSON: sections of cards, each with the replies of its thread
 *
 * With a PREVIEW_TOKENS token the request acts as that token's CSM only: `csm` may be left
 * out, and a request naming another CSM (`?csm=`, the body's `csm`, an envelope's `to`
 * when the token's CSM is not an admin) is refused with 403 and audited.
 */

export interface PreviewChannelOptions {
  config: Config;
  deps: ConversationDeps;
  log: Logger;
}

/** Where a preview answer goes: the page, in its language when the person chose one with the switch. */
export interface PreviewWhere {
  locale?: Locale | undefined;
}

/**
 * The preview as a chat: its routes under /preview, nothing to connect to and no port (it
 * sends nothing: the inbox reads the outbox), and answers that the page draws itself.
 */
export interface PreviewChannel extends ChatChannel<PreviewWhere, PreviewAnswer> {
  readonly name: "preview";
  readonly http: { path: typeof PREVIEW_PATH; router: Router };
  /** The preview's address on a server at `baseUrl`, for the start-up log (never with the token). */
  url(baseUrl: string): string;
}

export const PREVIEW_PATH = "/preview" as const;


/** The answers of the preview's own errors (errors.preview.*). */
const ERROR_STATUS: Partial<Record<ErrorCode, number>> = { "preview.otherCsm": 403, "preview.notCsm": 403, "preview.adminOnly": 403 };

const require = createRequire(import.meta.url);

/** The files the page loads: the official renderer and its stylesheet from the package, ours from assets/. */
const ASSETS: Record<string, { path: () => string; type: string }> = {
  "adaptivecards.min.js": { path: () => require.resolve("adaptivecards/dist/adaptivecards.min.js"), type: "text/javascript" },
  "adaptivecards.css": { path: () => require.resolve("adaptivecards/dist/adaptivecards.css"), type: "text/css" },
  "preview.js": { path: () => projectPath("src", "channels", "preview", "assets", "preview.js"), type: "text/javascript" },
  "preview.css": { path: () => projectPath("src", "channels", "preview", "assets", "preview.css"), type: "text/css" },
};



export function createPreviewChannel({ config, deps, log }: PreviewChannelOptions): PreviewChannel {
  const router = express.Router();
  const url = (baseUrl: string) => `${baseUrl.replace(/\/$/, "")}${PREVIEW_PATH}`;
  const channel = (): PreviewChannel => ({
    name: "preview",
    http: { path: PREVIEW_PATH, router },
    url,
    present: (outcome, where) => presentOutcome(deps, outcome, where.locale),
    // Nothing to connect to, nothing held open: requests are answered as they come.
    start: async () => undefined,
    stop: async () => undefined,
  });
  if (!config.preview.enabled) {
    router.use((_req, res) => void res.status(404).json({ error: "not found" }));
    return channel();
  }
  const previewLog = log.child({ channel: "preview" });
  const assetCache = new Map<string, Buffer>();

  const pageContext = (req: Request, locale: Locale): PageContext => ({ base: req.baseUrl, token: urlToken(req), locale, t: translator(locale) });
  // Admins and team leads may assign others (mayAssignOthers in src/actions/identity.ts).
  const mayAssignOthers = (csmEmail: string) => config.partner.admins.includes(csmEmail.toLowerCase()) || config.partner.teamLeads.includes(csmEmail.toLowerCase());

  /**
   * The CSM a request acts as. A bound token acts as its own CSM: naming another is
   * refused (403) and audited; the picker's accesses act as whoever they name.
   */
  async function actingAs(req: Request, res: Response, named: string | undefined): Promise<string | undefined> {
    const access = accessOf(res);
    if (access.kind !== "bound") return named;
    const own = await findCsm(deps, access.email);
    if (own) res.locals.previewLocale = own.locale;
    if (named !== undefined && named.trim().toLowerCase() !== access.email) {
      await refuse(req, access, own?.id ?? null, "preview.otherCsm", named);
    }
    if (!own) throw new AppError("preview.notCsm", { email: access.email });
    return access.email;
  }

  /** Records the attempt in the audit table, then refuses it. */
  async function refuse(req: Request, access: Extract<PreviewAccess, { kind: "bound" }>, csmId: number | null, code: "preview.otherCsm" | "preview.adminOnly", named: string): Promise<never> {
    const shown = named.trim().toLowerCase().slice(0, 320);
    await writeRefusalAudit(deps.db.pool, { csmId, channel: "preview", action: "preview.refused", entity: "csm", entityId: shown, detail: { reason: code, as: access.email, method: req.method, path: req.path } });
    previewLog.warn({ as: access.email, named: shown, path: req.path, reason: code }, "preview: a token tried to act as someone else; refused and audited");
    throw new AppError(code, { email: access.email, named: shown });
  }

  const asPageItem = (item: InboxItem, ctx: RenderContext, page?: PageContext, csm?: string): PageItem => ({
    key: item.key,
    alertId: item.alertId,
    badges: item.badges,
    rendered: renderBoth(item.card, ctx),
    thread: item.thread.map((reply) => ({ key: reply.key, alertId: null, badges: reply.badges, rendered: renderBoth(reply.card, ctx) })),
    ...(item.image && page ? { image: { href: link(page, item.image, { csm }), alt: page.t("cards.team.chartNote") } } : {}),
  });

  /**
   * The inbox as JSON, as the page shows it (the same sections and threads): each card with its
   * text as a chat's notification shows it, in the CSM's language or `lang`.
   */
  const inboxJson: RequestHandler = async (req, res) => {
    const lang = localeSchema.safeParse(req.query.lang);
    const csmEmail = await actingAs(req, res, queryString(req.query.csm));
    const csm = csmEmail ? await findCsm(deps, csmEmail) : null;
    if (!csm) return void res.status(csmEmail ? 404 : 400).json({ error: csmEmail ? "no such CSM" : "expected ?csm=<email>" });
    const locale = lang.success ? lang.data : csm.locale;
    const t = translator(locale);
    const ctx: RenderContext = { locale, timeZone: csm.timeZone, now: deps.now() };
    const shown = (item: { key: string; badges: InboxItem["badges"]; card: InboxItem["card"] }) => {
      const rendered = renderBoth(item.card, ctx);
      return { key: item.key, card: rendered.name, badges: item.badges.map((b) => messageText(t, b)), text: fallbackText(rendered.card) };
    };
    const inbox = await loadInbox(deps, csm);
    const sections = Object.fromEntries(
      INBOX_SECTIONS.map((s) => [s, inbox.sections[s].map((item) => ({ ...shown(item), alertId: item.alertId, thread: item.thread.map(shown) }))]),
    );
    res.json({ csm: { email: csm.email, name: csm.name, locale: csm.locale }, locale, sections, hidden: inbox.hidden });
  };

  const home: RequestHandler = async (req, res) => {
    const lang = localeSchema.safeParse(req.query.lang);
    const bound = accessOf(res).kind === "bound";
    const csmEmail = await actingAs(req, res, queryString(req.query.csm));
    const csm = csmEmail ? await findCsm(deps, csmEmail) : null;
    // A bound token sees its own CSM only, in the picker too.
    const csms = bound && csm ? [{ email: csm.email, name: csm.name }] : await listCsms(deps);
    if (!csm) {
      const page = pageContext(req, lang.success ? lang.data : config.partner.defaultLocale);
      res.status(csmEmail ? 404 : 200).type("html").send(pickerPage(page, csms));
      return;
    }
    const locale = lang.success ? lang.data : csm.locale;
    const page = pageContext(req, locale);
    const inbox = await loadInbox(deps, csm);
    const ctx: RenderContext = { locale, timeZone: csm.timeZone, now: deps.now() };
    const sections = Object.fromEntries(INBOX_SECTIONS.map((s) => [s, inbox.sections[s].map((item) => asPageItem(item, ctx, page, csm.email))])) as Record<InboxSection, PageItem[]>;
    res.type("html").send(inboxPage(page, { csm, csms, override: lang.success && lang.data !== csm.locale, sections, hidden: inbox.hidden }));
  };

  const gallery: RequestHandler = (req, res) => {
    const lang = localeSchema.safeParse(req.query.locale ?? req.query.lang);
    const locale = lang.success ? lang.data : config.partner.defaultLocale;
    const ctx: RenderContext = { locale, timeZone: config.partner.timeZone, now: SAMPLE_NOW };
    const items = CARD_NAMES.map((name: CardName): PageItem => ({
      key: name,
      alertId: null,
      badges: [],
      rendered: renderBoth({ card: name, view: SAMPLE_VIEWS[name] } as AnyCard, ctx),
    }));
    res.type("html").send(galleryPage(pageContext(req, locale), items));
  };

  const asset: RequestHandler = (req, res) => {
    const name = String(req.params.name);
    const file = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!file) {
      res.status(404).json({ error: "not found" });
      return;
    }
    let body = assetCache.get(name);
    if (!body) {
      body = readFileSync(file.path());
      // The package's files do not change while we run; ours may while an engineer edits them.
      if (name.startsWith("adaptivecards")) assetCache.set(name, body);
    }
    res.type(file.type).send(body);
  };

  const answer = (res: Response, body: PreviewAnswer) => void res.json(body);

  const message: RequestHandler = async (req, res) => {
    const body = messageBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: "expected { csm, text, locale? }", issues: body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
      return;
    }
    const csm = await actingAs(req, res, body.data.csm);
    if (!csm) return void res.status(400).json({ error: "expected { csm, text, locale? }" });
    const outcome = await handleMessage(deps, identity(csm), body.data.text, { prefix: "" });
    answer(res, await presentOutcome(deps, outcome, body.data.locale));
  };

  const action: RequestHandler = async (req, res) => {
    const body = actionBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: "expected { csm, data, locale? }", issues: body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
      return;
    }
    const csm = await actingAs(req, res, body.data.csm);
    if (!csm) return void res.status(400).json({ error: "expected { csm, data, locale? }" });
    const access = accessOf(res);
    // Assigning to someone else is an admin's: a bound token of anyone else is refused before the pipeline.
    const to = body.data.data.a === "usecase.assign" && typeof body.data.data.to === "string" ? body.data.data.to.trim().toLowerCase() : "";
    if (access.kind === "bound" && to && to !== csm && !mayAssignOthers(csm)) {
      await refuse(req, access, (await findCsm(deps, csm))?.id ?? null, "preview.adminOnly", to);
    }
    const outcome = await handleAction(deps, identity(csm), body.data.data, { prefix: "" });
    answer(res, await presentOutcome(deps, outcome, body.data.locale));
  };

  /**
   * The upload workbook for download: the `changes` command run through the pipeline as the
   * token's CSM, so the admin check and the bytes are the chats' own. A refusal is 403.
   */
  const changesFile: RequestHandler = async (req, res) => {
    const csm = await actingAs(req, res, queryString(req.query.csm));
    if (!csm) return void res.status(400).json({ error: "expected ?csm=<email>" });
    const outcome = await handleMessage(deps, identity(csm), "changes", { prefix: "" });
    const file = outcome.effects.find((e) => e.type === "file");
    if (file) {
      res.type(file.mediaType).attachment(file.name).send(Buffer.from(file.bytes));
      return;
    }
    const said = await presentOutcome(deps, outcome, undefined);
    const notice = outcome.effects.find((e) => e.type === "reply");
    const refused = notice?.card.card === "notice" && "key" in notice.card.view.text && notice.card.view.text.key === "chat.changes.notAdmin";
    res.status(refused ? 403 : 404).json({ error: said.replies.map((r) => fallbackText(r.card)).join(" ") });
  };

  /**
   * The team chart as a PNG: the `team` command run through the pipeline as the token's CSM,
   * so the admin-or-lead check and the picture are the chats' own. A refusal is 403.
   */
  const teamChart: RequestHandler = async (req, res) => {
    const csm = await actingAs(req, res, queryString(req.query.csm));
    if (!csm) return void res.status(400).json({ error: "expected ?csm=<email>" });
    const outcome = await handleMessage(deps, identity(csm), "team", { prefix: "" });
    const file = outcome.effects.find((e) => e.type === "file");
    if (file) return void res.type(file.mediaType).send(Buffer.from(file.bytes));
    const said = await presentOutcome(deps, outcome, undefined);
    res.status(403).json({ error: said.replies.map((r) => fallbackText(r.card)).join(" ") });
  };

  router.use(securityHeaders);
  router.use(requireAccess(config.preview));
  router.get("/", home);
  router.get("/cards", gallery);
  router.get("/assets/:name", asset);
  router.post("/api/message", express.json({ limit: "64kb" }), message);
  router.get("/api/changes.xlsx", changesFile);
  router.get("/api/inbox", inboxJson);
  router.get("/api/team.png", teamChart);
  router.post("/api/action", express.json({ limit: "64kb" }), action);
  router.all(["/api/message", "/api/action"], methodNotAllowed(["POST"]));
  router.all(["/", "/cards", "/assets/:name", "/api/changes.xlsx", "/api/inbox", "/api/team.png"], methodNotAllowed(["GET", "HEAD"]));
  router.use((_req, res) => void res.status(404).json({ error: "not found" }));
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (isAppError(error) && ERROR_STATUS[error.code]) {
      // A refusal the person should read, in their language: a page for a browser's GET, else JSON.
      const lang = localeSchema.safeParse(req.query.lang);
      const locale: Locale = lang.success ? lang.data : ((res.locals as { previewLocale?: Locale }).previewLocale ?? config.partner.defaultLocale);
      const page = pageContext(req, locale);
      const text = page.t(error.messageKey, error.params);
      res.status(ERROR_STATUS[error.code]!);
      if (req.method === "GET" && req.accepts(["json", "html"]) === "html") res.type("html").send(forbiddenPage(page, text));
      else res.json({ error: text });
      return;
    }
    const given = (error as { status?: unknown }).status;
    const status = typeof given === "number" && given >= 400 && given < 600 ? given : 500;
    if (status >= 500) previewLog.error({ err: error, path: req.path }, "preview request failed");
    else previewLog.warn({ status, type: (error as { type?: unknown }).type, path: req.path }, "preview request refused");
    res.status(status).json({ error: status >= 500 ? "internal error" : status === 413 ? "request body too large" : "bad request" });
  });
  return channel();
}
