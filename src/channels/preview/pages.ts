import type { Message } from "../../protocol/views.js";
import { LOCALES, type Locale } from "../../config.js";
import type { Translate } from "../../i18n.js";
import { html, jsonForScript, raw, type SafeHtml } from "./html.js";
import { INBOX_SECTIONS, type InboxCsm, type InboxSection } from "./inbox.js";
import { messageText, type RenderedCard } from "./present.js";

/**
 * The preview's pages, rendered on the server: the CSM picker, a CSM's inbox with the
 * conversation, and the card gallery. The Slack side is HTML from here; the Webex side is
 * drawn in the browser by the official `adaptivecards` renderer from the card JSON in the
 * page (assets/preview.js).
 */

/** Where the page lives and how its links carry the token. */
export interface PageContext {
  /** The router's mount path, e.g. "/preview". */
  base: string;
  /** The token to carry on in links and requests (when it came in the URL). */
  token: string | undefined;
  locale: Locale;
  t: Translate;
}

export function link(page: PageContext, path: string, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, token: page.token })) if (value !== undefined) query.set(key, value);
  const search = query.toString();
  return `${page.base}${path}${search ? `?${search}` : ""}`;
}

/** An item of the page: the card (drawn by the browser) next to its Slack rendering. */
export interface PageItem {
  key: string;
  alertId: number | null;
  badges: Message[];
  rendered: RenderedCard;
  /** Replies in the card's thread, oldest first (drawn under it, as Slack and Webex show a thread). */
  thread?: PageItem[];
  /** A picture under the card (the team chart): its link, token included, and its description. */
  image?: { href: string; alt: string };
}

/** Texts the browser script needs, in the page's language. */
function clientTexts(t: Translate) {
  return {
    webex: t("preview.pane.webex"),
    slack: t("preview.pane.slack"),
    you: t("preview.chat.you"),
    bot: t("preview.chat.bot"),
    failed: t("preview.chat.failed", { status: "{status}" }),
    refreshed: t("preview.badge.refreshed"),
    receipt: t("preview.badge.receipt"),
  };
}

function layout(page: PageContext, title: string, body: SafeHtml, data: unknown): string {
  const asset = (name: string) => link(page, `/assets/${name}`);
  return html`<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
<link rel="stylesheet" href="${asset("adaptivecards.css")}">
<link rel="stylesheet" href="${asset("preview.css")}">
</head>
<body>
${body}
<script type="application/json" id="preview-data">${jsonForScript(data)}</script>
<script src="${asset("adaptivecards.min.js")}"></script>
<script src="${asset("preview.js")}"></script>
</body>
</html>
`.html;
}

function languageSwitch(page: PageContext, href: (locale: Locale) => string): SafeHtml {
  return html`<nav class="langs" aria-label="${page.t("preview.nav.language")}">${LOCALES.map((locale) =>
    locale === page.locale
      ? html`<span class="lang current" aria-current="true" lang="${locale}">${page.t(`preview.languageName.${locale}`)}</span>`
      : html`<a class="lang" lang="${locale}" href="${href(locale)}">${page.t(`preview.languageName.${locale}`)}</a>`,
  )}</nav>`;
}

function topbar(page: PageContext, extra: SafeHtml, switchHref: (locale: Locale) => string): SafeHtml {
  return html`<header class="topbar">
  <a class="brand" href="${link(page, "/")}">${page.t("preview.title")}</a>
  ${extra}
  <span class="spacer"></span>
  ${languageSwitch(page, switchHref)}
  <a class="nav" href="${link(page, "/cards", { locale: page.locale })}">${page.t("preview.nav.gallery")}</a>
</header>`;
}

function itemHtml(page: PageContext, item: PageItem): SafeHtml {
  return html`<article class="item" data-key="${item.key}" data-card="${item.rendered.name}"${item.alertId !== null ? html` data-alert-id="${item.alertId}"` : ""}>
  ${item.badges.length > 0 ? html`<div class="badges">${item.badges.map((b) => html`<span class="badge badge-${"key" in b ? b.key.split(".").pop() ?? "" : "text"}">${messageText(page.t, b)}</span>`)}</div>` : ""}
  <div class="panes">
    <div class="pane pane-webex"><div class="pane-title">${page.t("preview.pane.webex")}</div><div class="ac-host"></div></div>
    <div class="pane pane-slack"><div class="pane-title">${page.t("preview.pane.slack")}</div><div class="slack-host">${raw(item.rendered.slackHtml)}</div></div>
  </div>
  ${item.alertId !== null ? html`<div class="thread" role="list" aria-label="${page.t("preview.thread.label")}">${(item.thread ?? []).map((reply) => html`<div class="reply" role="listitem">${itemHtml(page, reply)}</div>`)}</div>` : ""}
  ${item.image ? html`<figure class="chart"><img src="${item.image.href}" alt="${item.image.alt}" width="960" height="420"></figure>` : ""}
</article>`;
}

/** The card JSON of each item and of each reply in its thread, by key, for the page's renderer. */
const cardsOf = (items: readonly PageItem[]): Record<string, unknown> =>
  Object.fromEntries(items.flatMap((item) => [[item.key, item.rendered.card] as const, ...Object.entries(cardsOf(item.thread ?? []))]));

export function pickerPage(page: PageContext, csms: readonly { email: string; name: string }[]): string {
  const body = html`${topbar(page, html``, (locale) => link(page, "/", { lang: locale }))}
<main class="narrow">
  <h1>${page.t("preview.picker.heading")}</h1>
  <p class="hint">${page.t("preview.picker.intro")}</p>
  ${csms.length === 0
    ? html`<p class="empty">${page.t("preview.picker.empty")}</p>`
    : html`<ul class="csm-list">${csms.map((c) => html`<li><a href="${link(page, "/", { csm: c.email })}">${c.name}</a> <span class="muted">${c.email}</span></li>`)}</ul>`}
</main>`;
  return layout(page, page.t("preview.title"), body, { mode: "picker" });
}

export interface InboxPageModel {
  csm: InboxCsm;
  csms: readonly { email: string; name: string }[];
  /** The language was chosen with the switch, not the CSM's own. */
  override: boolean;
  sections: Record<InboxSection, PageItem[]>;
  hidden: Record<InboxSection, number>;
}

export function inboxPage(page: PageContext, model: InboxPageModel): string {
  const { t } = page;
  const { csm } = model;
  const picker = html`<form class="csm-picker" method="get" action="${page.base}/">
    <label>${t("preview.picker.csm")} <select name="csm" data-autosubmit>${model.csms.map(
      (c) => html`<option value="${c.email}"${c.email === csm.email ? raw(" selected") : ""}>${c.name}</option>`,
    )}</select></label>
    ${model.override ? html`<input type="hidden" name="lang" value="${page.locale}">` : ""}
    ${page.token ? html`<input type="hidden" name="token" value="${page.token}">` : ""}
    <noscript><button type="submit">${t("preview.picker.open")}</button></noscript>
  </form>
  <label class="toggle"><input type="checkbox" id="toggle-slack" checked> ${t("preview.nav.slack")}</label>`;
  const hints: Record<InboxSection, string> = {
    home: t("preview.section.homeHint"),
    team: t("preview.section.teamHint"),
    arrived: t("preview.section.arrivedHint"),
    open: t("preview.section.openHint"),
    unassigned: t("preview.section.unassignedHint"),
    digest: csm.digestEnabled ? t("preview.section.digestHint", { time: csm.digestTime, timeZone: csm.timeZone }) : t("preview.section.digestOff"),
  };
  const empty: Record<InboxSection, string> = {
    home: t("preview.empty.home"),
    team: t("preview.empty.team"),
    arrived: t("preview.empty.arrived"),
    open: t("preview.empty.open"),
    unassigned: t("preview.empty.unassigned"),
    digest: t("preview.empty.digest"),
  };
  const sections = INBOX_SECTIONS.map((section) => {
    const items = model.sections[section];
    const hidden = model.hidden[section];
    return html`<section class="section" id="section-${section}" data-section="${section}">
  <h2>${t(`preview.section.${section}`)} <span class="count">${items.length + hidden}</span></h2>
  <p class="hint">${hints[section]}</p>
  ${items.length === 0 ? html`<p class="empty">${empty[section]}</p>` : items.map((item) => itemHtml(page, item))}
  ${hidden > 0 ? html`<p class="more">${t("preview.more", { count: hidden })}</p>` : ""}
</section>`;
  });
  const body = html`${topbar(page, picker, (locale) => link(page, "/", { csm: csm.email, lang: locale }))}
<div class="layout">
  <main class="inbox">
    <h1>${t("preview.nav.inboxOf", { name: csm.name })} <span class="muted">${csm.email}</span></h1>
    <p class="hint">${t("preview.tagline")}</p>
    ${sections}
  </main>
  <aside class="chat" aria-labelledby="chat-title">
    <h2 id="chat-title">${t("preview.section.conversation")}</h2>
    <p class="hint">${t("preview.section.conversationHint")}</p>
    <div class="transcript" id="transcript" aria-live="polite"></div>
    <form class="chat-form" id="chat-form" autocomplete="off">
      <input type="text" name="text" id="chat-input" maxlength="500" required placeholder="${t("preview.chat.placeholder")}" aria-label="${t("preview.chat.placeholder")}">
      <button type="submit">${t("preview.chat.send")}</button>
    </form>
    <button type="button" class="link-button" id="chat-clear">${t("preview.chat.clear")}</button>
  </aside>
</div>`;
  const all = INBOX_SECTIONS.flatMap((s) => model.sections[s]);
  return layout(page, t("preview.nav.inboxOf", { name: csm.name }), body, {
    mode: "inbox",
    api: { message: link(page, "/api/message"), action: link(page, "/api/action"), changes: link(page, "/api/changes.xlsx", { csm: csm.email }), team: link(page, "/api/team.png", { csm: csm.email }) },
    reload: link(page, "/", { csm: csm.email }),
    csm: csm.email,
    csmLocale: csm.locale,
    locale: page.locale,
    override: model.override,
    texts: clientTexts(t),
    cards: cardsOf(all),
  });
}

export function galleryPage(page: PageContext, items: readonly PageItem[]): string {
  const { t } = page;
  const body = html`${topbar(page, html``, (locale) => link(page, "/cards", { locale }))}
<main class="gallery">
  <h1>${t("preview.gallery.heading")}</h1>
  <p class="hint">${t("preview.gallery.intro")}</p>
  ${items.map((item) => html`<section class="gallery-card"><h2><code>${item.rendered.name}</code></h2>${itemHtml(page, item)}</section>`)}
</main>`;
  return layout(page, t("preview.gallery.heading"), body, { mode: "gallery", locale: page.locale, texts: clientTexts(t), cards: cardsOf(items) });
}

/** A refusal as a page (a browser asked for another CSM's inbox), in the reader's language. */
export function forbiddenPage(page: PageContext, text: string): string {
  const body = html`${topbar(page, html``, (locale) => link(page, "/", { lang: locale }))}
<main class="narrow">
  <h1>${page.t("preview.forbidden.heading")}</h1>
  <p class="refusal" role="alert">${text}</p>
  <p><a href="${link(page, "/")}">${page.t("preview.title")}</a></p>
</main>`;
  return layout(page, page.t("preview.forbidden.heading"), body, { mode: "picker" });
}
