// The preview page's script: draws each card with the official Adaptive Cards renderer
// (window.AdaptiveCards, served from node_modules/adaptivecards), sends card actions and
// chat messages to the bot's pipeline, and shows what comes back. Plain browser JavaScript,
// no build step; the server renders the page, the Slack side and every text.
(() => {
  "use strict";

  const data = JSON.parse(document.getElementById("preview-data").textContent);
  if (data.mode === "picker") return;
  const AC = window.AdaptiveCards;

  // ---------------------------------------------------------------------------------------
  // Markdown in TextBlocks, the subset Webex shows: **bold**, _italic_ / *italic*,
  // [text](url), line breaks. The official renderer shows markdown only through a processor
  // the host supplies (it looks for markdown-it, which we do not ship).

  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

  function inline(escaped) {
    return escaped
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?!\w)/g, "$1<em>$2</em>")
      .replace(/(^|[^\w_])_(?!\s)([^_\n]+?)_(?!\w)/g, "$1<em>$2</em>");
  }

  // Data in a card is text (src/cards/escape.ts): each character of it that could be read as
  // markdown comes between two word joiners (U+2060), `*` and the backtick as look-alikes,
  // brackets in a link's text as full-width ones. Those are taken out before the markdown is
  // read and put back as escaped text, as typed: only the bot's own markdown becomes HTML.
  const LOOKALIKE_OF = { "\u2217": "*", "\u02CB": "`", "\uFF3B": "[", "\uFF3D": "]" };

  function markdown(source) {
    const literals = [];
    const text = String(source).replace(/\u2060([^\u2060])\u2060/gu, (_match, c) => {
      literals.push(LOOKALIKE_OF[c] ?? c);
      return `\u0003${literals.length - 1}\u0004`;
    });
    // Links become tokens first, so emphasis around a link (**[name](url)**) applies to it whole.
    const links = [];
    const tokenised = text.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_match, label, url) => {
      links.push({ label, url });
      return `\u0001${links.length - 1}\u0002`;
    });
    return inline(escapeHtml(tokenised))
      .replace(/\u0001(\d+)\u0002/g, (_match, i) => {
        const { label, url } = links[Number(i)];
        const text = inline(escapeHtml(label));
        return /^(https?:|mailto:)/i.test(url) ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${text}</a>` : text;
      })
      .replace(/\n/g, "<br>")
      .replace(/\u0003(\d+)\u0004/g, (_match, i) => escapeHtml(literals[Number(i)] ?? ""));
  }

  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = markdown(text);
    result.didProcess = true;
  };

  const hostConfig = new AC.HostConfig({
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    supportsInteractivity: true,
  });

  // ---------------------------------------------------------------------------------------
  // Drawing cards

  /** Draws a card into `host`; what the renderer could not parse is listed under it. */
  function drawCard(host, json) {
    const card = new AC.AdaptiveCard();
    card.hostConfig = hostConfig;
    card.onExecuteAction = (action) => void onAction(action, host);
    const context = new AC.SerializationContext(AC.Versions.v1_3);
    card.parse(json, context);
    const rendered = card.render();
    host.replaceChildren(rendered ?? document.createTextNode("(no card)"));
    const problems = [];
    for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
    for (const event of card.validateProperties().validationEvents) problems.push(event.message);
    if (problems.length > 0) {
      const list = document.createElement("ul");
      list.className = "ac-warnings";
      for (const problem of problems) {
        const li = document.createElement("li");
        li.textContent = problem;
        list.append(li);
      }
      host.append(list);
    }
  }

  function itemElement(rendered) {
    const article = document.createElement("article");
    article.className = "item";
    article.dataset.card = rendered.name;
    article.innerHTML =
      '<div class="panes"><div class="pane pane-webex"><div class="pane-title"></div><div class="ac-host"></div></div>' +
      '<div class="pane pane-slack"><div class="pane-title"></div><div class="slack-host"></div></div></div>';
    article.querySelector(".pane-webex .pane-title").textContent = data.texts.webex;
    article.querySelector(".pane-slack .pane-title").textContent = data.texts.slack;
    // Built and escaped by the server (slack-html.ts).
    article.querySelector(".slack-host").innerHTML = rendered.slackHtml;
    drawCard(article.querySelector(".ac-host"), rendered.card);
    return article;
  }

  for (const item of document.querySelectorAll(".item[data-key]")) {
    const card = data.cards[item.dataset.key];
    if (card) drawCard(item.querySelector(":scope > .panes .ac-host"), card);
  }

  // ---------------------------------------------------------------------------------------
  // Slack side on or off

  const toggle = document.getElementById("toggle-slack");
  if (toggle) {
    toggle.checked = localStorage.getItem("lca-preview:slack") !== "off";
    const apply = () => {
      document.body.classList.toggle("hide-slack", !toggle.checked);
      localStorage.setItem("lca-preview:slack", toggle.checked ? "on" : "off");
    };
    toggle.addEventListener("change", apply);
    apply();
  }
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }

  if (data.mode !== "inbox") return;

  // ---------------------------------------------------------------------------------------
  // The conversation, kept for the tab's life (a language switch reloads the page)

  const transcript = document.getElementById("transcript");
  const storageKey = `lca-preview:transcript:${data.csm}`;
  let entries = [];
  try {
    entries = JSON.parse(sessionStorage.getItem(storageKey) ?? "[]");
  } catch (error) {
    console.warn("preview: dropping an unreadable stored conversation", error);
  }
  const save = () => sessionStorage.setItem(storageKey, JSON.stringify(entries.slice(-40)));

  function show(entry) {
    const row = document.createElement("div");
    row.className = `msg msg-${entry.who}`;
    const who = document.createElement("div");
    who.className = "who";
    who.textContent = entry.who === "you" ? data.texts.you : data.texts.bot;
    row.append(who);
    if (entry.reply) {
      row.append(itemElement(entry.reply));
    } else {
      const text = document.createElement("div");
      text.className = entry.who === "error" ? "text error" : "text";
      text.textContent = entry.text;
      row.append(text);
    }
    if (entry.file && entry.image) {
      const image = document.createElement("img");
      image.className = "chart";
      image.src = data.api.team;
      image.alt = entry.text;
      row.append(image);
    } else if (entry.file) {
      const download = document.createElement("a");
      download.className = "download";
      download.href = data.api.changes;
      download.download = entry.file;
      download.textContent = entry.file;
      row.append(download);
    }
    transcript.append(row);
    row.scrollIntoView({ block: "nearest" });
  }

  function add(entry) {
    entries.push(entry);
    save();
    show(entry);
  }

  entries.forEach(show);

  document.getElementById("chat-clear").addEventListener("click", () => {
    entries = [];
    save();
    transcript.replaceChildren();
  });

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ csm: data.csm, ...body, ...(data.override ? { locale: data.locale } : {}) }),
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  function failed(error) {
    console.error("preview request failed", error);
    add({ who: "error", text: data.texts.failed.replace("{status}", error.message) });
  }

  /**
   * The thread under an alert's card in the inbox (the server draws one under each alert
   * card), where the answer to a click on that card goes, as in Slack and Webex.
   */
  function threadOf(item) {
    if (!item || !item.dataset.alertId || !item.closest(".inbox")) return null;
    let thread = item.querySelector(":scope > .thread");
    if (!thread) {
      thread = document.createElement("div");
      thread.className = "thread";
      thread.setAttribute("role", "list");
      item.append(thread);
    }
    return thread;
  }

  /** A reply in a card's thread: the answer, marked as the person's own (Slack shows it to them only). */
  function addToThread(thread, rendered) {
    const reply = document.createElement("div");
    reply.className = "reply reply-answer";
    reply.setAttribute("role", "listitem");
    const article = itemElement(rendered);
    const badges = document.createElement("div");
    badges.className = "badges";
    const badge = document.createElement("span");
    badge.className = "badge badge-receipt";
    badge.textContent = data.texts.receipt;
    badges.append(badge);
    article.prepend(badges);
    reply.append(article);
    thread.append(reply);
    reply.scrollIntoView({ block: "nearest" });
  }

  /**
   * Shows what the bot answered: after a click on an alert card, in that card's thread;
   * otherwise in the conversation. Refusals next to their fields, refreshed alerts in place.
   */
  function present(answer, origin) {
    const thread = origin ? threadOf(origin.item) : null;
    for (const reply of answer.replies) {
      if (thread) addToThread(thread, reply);
      else add({ who: "bot", reply });
    }
    for (const file of answer.files ?? []) add({ who: "bot", text: file.text, file: file.name, image: Boolean(file.image) });
    for (const error of answer.fieldErrors) showFieldError(origin, error);
    for (const { alertId, card } of answer.refreshed) refreshAlert(alertId, card);
    // `lang ru` changed the CSM's language: show the whole page in it.
    if (answer.csmLocale !== data.csmLocale) window.location.assign(data.reload);
  }

  // ---------------------------------------------------------------------------------------
  // Card actions

  async function onAction(action, host) {
    if (action instanceof AC.OpenUrlAction) {
      window.open(action.url, "_blank", "noopener,noreferrer");
      return;
    }
    // The gallery shows cards; only the inbox acts.
    if (!(action instanceof AC.SubmitAction) || data.mode !== "inbox") return;
    const item = host.closest(".item");
    for (const old of item.querySelectorAll(".field-error")) old.remove();
    for (const old of item.querySelectorAll("[aria-invalid='true']")) old.removeAttribute("aria-invalid");
    item.classList.add("busy");
    item.setAttribute("aria-busy", "true");
    try {
      // `action.data` is the Action.Submit data with the values of its inputs merged in.
      present(await post(data.api.action, { data: { ...(action.data ?? {}) } }), { action, item });
    } catch (error) {
      failed(error);
    } finally {
      item.classList.remove("busy");
      item.removeAttribute("aria-busy");
    }
  }

  /** The rendered input with that id in the card the action belongs to (its ShowCard first). */
  function findInput(origin, field) {
    for (let owner = origin.action.parent; owner; owner = owner.parent) {
      const element = typeof owner.getElementById === "function" ? owner.getElementById(field) : undefined;
      if (element && element.renderedElement) return element.renderedElement;
    }
    return origin.item.querySelector(`.ac-host [id="${CSS.escape(field)}"]`);
  }

  function showFieldError(origin, { field, text }) {
    const message = document.createElement("div");
    message.className = "field-error";
    message.setAttribute("role", "alert");
    message.dataset.fieldError = field;
    message.textContent = text;
    const input = origin && findInput(origin, field);
    if (input) {
      input.insertAdjacentElement("afterend", message);
      for (const control of input.querySelectorAll("input, select, textarea")) control.setAttribute("aria-invalid", "true");
    } else if (origin) {
      origin.item.querySelector(".ac-host").append(message);
    } else {
      add({ who: "error", text });
    }
  }

  function refreshAlert(alertId, rendered) {
    for (const item of document.querySelectorAll(`.inbox .item[data-alert-id="${alertId}"]`)) {
      // The card's own panes and badges, not those of the replies in its thread.
      drawCard(item.querySelector(":scope > .panes .ac-host"), rendered.card);
      item.querySelector(":scope > .panes .slack-host").innerHTML = rendered.slackHtml;
      let badges = item.querySelector(":scope > .badges");
      if (!badges) {
        badges = document.createElement("div");
        badges.className = "badges";
        item.prepend(badges);
      }
      if (!badges.querySelector(".badge-refreshed")) {
        const badge = document.createElement("span");
        badge.className = "badge badge-refreshed";
        badge.textContent = data.texts.refreshed;
        badges.append(badge);
      }
      item.classList.remove("flash");
      void item.offsetWidth;
      item.classList.add("flash");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Typed commands

  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    add({ who: "you", text });
    form.classList.add("busy");
    form.setAttribute("aria-busy", "true");
    try {
      present(await post(data.api.message, { text }), null);
    } catch (error) {
      failed(error);
    } finally {
      form.classList.remove("busy");
      form.removeAttribute("aria-busy");
      input.focus();
    }
  });
})();
