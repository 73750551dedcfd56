/** The cards that tell a person something: help, a receipt of their action, a notice, a welcome. */
import type { HelpView, NoticeView, ReceiptView, WelcomeView } from "../protocol/views.js";
import type { ContainerStyle } from "./adaptive-card.js";
import type { Format } from "./present-format.js";
import { join, type TemplateData } from "./present-pieces.js";

export function presentHelp(view: HelpView, f: Format): TemplateData {
  return {
    title: f.t("cards.help.title"),
    intro: view.intro ? f.message(view.intro) : f.t("cards.help.intro"),
    commands: view.commands.map((c) => ({ title: c.command, value: f.message(c.description) })),
    note: view.note ? f.message(view.note) : "",
    show: { note: view.note !== undefined },
  };
}

const RECEIPT_ICON: Record<ReceiptView["outcome"]["key"], string> = {
  assigned: "✅",
  actionRecorded: "✅",
  contactUpdated: "✅",
  contactSavedPending: "⏳",
  assignedPending: "⏳",
  snoozed: "💤",
  noteAdded: "📝",
  alreadyDone: "ℹ️",
  stale: "⚠️",
};

function receiptText(outcome: ReceiptView["outcome"], f: Format): string {
  const { t } = f;
  switch (outcome.key) {
    case "assigned":
      return t("cards.receipt.assigned", { name: outcome.params.name });
    case "actionRecorded":
      return t("cards.receipt.actionRecorded", { action: f.action(outcome.params.action) });
    case "contactUpdated":
      return t("cards.receipt.contactUpdated", { email: outcome.params.email });
    case "contactSavedPending":
      return t("cards.receipt.contactSavedPending", { email: outcome.params.email });
    case "assignedPending":
      return t("cards.receipt.assignedPending", { name: outcome.params.name });
    case "snoozed":
      return t("cards.receipt.snoozed", { count: outcome.params.days });
    case "noteAdded":
      return t("cards.receipt.noteAdded");
    case "alreadyDone":
      return t("cards.receipt.alreadyDone", { name: outcome.params.name });
    case "stale":
      return t("cards.receipt.stale");
  }
}

export function presentReceipt(view: ReceiptView, f: Format): TemplateData {
  const by = f.t("cards.receipt.by", { name: view.actorName });
  const comment = view.comment ? f.quote(view.comment) : "";
  const subject = view.subject ? join(view.subject.customer, view.subject.useCase) : "";
  const line = `${RECEIPT_ICON[view.outcome.key]} ${join(receiptText(view.outcome, f), f.dateTime(view.at, view.timeZone))}`;
  return {
    line,
    by,
    subject,
    comment,
    // "Assigned to Anna Petrova" already says who when Anna assigned herself.
    show: { subject: subject !== "", comment: comment !== "", by: !line.includes(view.actorName) },
  };
}

const NOTICE: Record<NoticeView["tone"], { icon: string; style: ContainerStyle }> = {
  info: { icon: "ℹ️", style: "emphasis" },
  success: { icon: "✅", style: "good" },
  warning: { icon: "⚠️", style: "warning" },
  error: { icon: "⛔", style: "attention" },
};

export function presentNotice(view: NoticeView, f: Format): TemplateData {
  const { icon, style } = NOTICE[view.tone];
  const title = view.title ? f.message(view.title) : "";
  const text = f.message(view.text);
  return {
    style,
    title: title ? `${icon} ${title}` : "",
    text: title ? text : `${icon} ${text}`,
    ref: view.ref ? f.t("cards.notice.ref", { ref: view.ref }) : "",
    show: { title: title !== "", ref: !!view.ref },
  };
}

export function presentWelcome(view: WelcomeView, f: Format): TemplateData {
  const { t } = f;
  const inGroup = view.teamSpace !== undefined;
  const where = !view.serves ? "" : inGroup ? t("cards.welcome.group") : t("cards.welcome.direct");
  const space = !view.serves || !inGroup ? "" : view.teamSpace ? t("cards.welcome.teamSpace", { name: view.teamSpace }) : t("cards.welcome.notTeamSpace");
  return {
    title: t("cards.welcome.title", { partner: view.partner }),
    about: view.serves ? t("cards.welcome.about", { partner: view.partner }) : t("cards.welcome.stranger", { partner: view.partner }),
    where,
    space,
    help: t("cards.welcome.help", { help: view.help }),
    show: { where: where !== "", space: space !== "" },
  };
}
