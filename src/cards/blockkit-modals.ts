/** Slack modals: the one a ShowCard button opens, and a stand-alone form card as a modal. */
import { truncate, type NestedCard, type TextBlock } from "./adaptive-card.js";
import { actionBlocks, envelopeName, firstSubmit, fitJson, type Context } from "./blockkit-actions.js";
import { SLACK_LIMITS, type BlockKitOptions, type View } from "./blockkit-blocks.js";
import { isHeading, translateElements } from "./blockkit-elements.js";
import { fitBlocks } from "./blockkit-fit.js";
import { mrkdwn, plain, toMrkdwn, toPlain } from "./blockkit-text.js";

/** A fresh translation, whose ShowCard buttons build their modals here and share its button numbering. */
export function translation(options: BlockKitOptions): Context {
  const cx: Context = { counter: { next: 0 }, modals: {}, options, buildModal: (card, title) => buildModal(card, title, cx) };
  return cx;
}

function buildModal(card: NestedCard, title: string, cx: Context): View {
  const submit = firstSubmit(card);
  const others = (card.actions ?? []).filter((a) => a !== submit);
  const blocks = fitBlocks([...translateElements(card.body ?? [], cx), ...actionBlocks(others, cx)], SLACK_LIMITS.modalBlocks);
  const metadata = submit ? fitJson(submit.data ?? {}, SLACK_LIMITS.privateMetadata) : undefined;
  return {
    type: "modal",
    callback_id: truncate(envelopeName(submit?.data) ?? "card", SLACK_LIMITS.callbackId),
    title: plain(toPlain(title), SLACK_LIMITS.modalTitle),
    ...(submit ? { submit: plain(submit.title, SLACK_LIMITS.modalButton) } : {}),
    ...(cx.options.cancelLabel ? { close: plain(cx.options.cancelLabel, SLACK_LIMITS.modalButton) } : {}),
    ...(metadata ? { private_metadata: metadata } : {}),
    blocks: blocks.length > 0 ? blocks : [{ type: "section", text: mrkdwn(toMrkdwn(title), SLACK_LIMITS.sectionText) }],
  };
}

/**
 * A stand-alone form card (form.contact, form.action, form.assign) as a modal: its heading
 * becomes the title, its Action.Submit the submit button and `private_metadata`.
 */
export function toModal(card: NestedCard, options: BlockKitOptions & { title?: string } = {}): View {
  const cx = translation(options);
  const body = card.body ?? [];
  const heading = body.find((el): el is TextBlock => el.type === "TextBlock" && isHeading(el));
  const title = options.title ?? heading?.text ?? firstSubmit(card)?.title ?? "…";
  // The heading moves into the title bar when it fits there (24 characters); else it stays in the body too.
  const moved = !options.title && heading && toPlain(heading.text).trim().length <= SLACK_LIMITS.modalTitle;
  return buildModal({ ...card, body: moved ? body.filter((el) => el !== heading) : body }, title, cx);
}
