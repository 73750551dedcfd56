/** Slack Block Kit, the part the bot produces (blockkit.ts), and Slack's limits on it. */

export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: "mrkdwn";
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface Option {
  text: PlainText;
  value: string;
}

export interface Button {
  type: "button";
  text: PlainText;
  action_id: string;
  value?: string;
  url?: string;
  style?: "primary" | "danger";
}

export interface StaticSelect {
  type: "static_select" | "multi_static_select";
  action_id: string;
  options: Option[];
  placeholder?: PlainText;
  initial_option?: Option;
}

export interface RadioButtons {
  type: "radio_buttons";
  action_id: string;
  options: Option[];
  initial_option?: Option;
}

export interface TextInput {
  type: "plain_text_input" | "email_text_input";
  action_id: string;
  multiline?: boolean;
  initial_value?: string;
  placeholder?: PlainText;
  max_length?: number;
}

export type InputElement = StaticSelect | RadioButtons | TextInput;

export interface SectionBlock {
  type: "section";
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}
export interface HeaderBlock {
  type: "header";
  text: PlainText;
}
export interface ContextBlock {
  type: "context";
  elements: TextObject[];
}
export interface DividerBlock {
  type: "divider";
}
export interface ImageBlock {
  type: "image";
  image_url: string;
  alt_text: string;
}
export interface ActionsBlock {
  type: "actions";
  elements: Button[];
}
export interface InputBlock {
  type: "input";
  block_id: string;
  label: PlainText;
  element: InputElement;
  optional?: boolean;
  hint?: PlainText;
}

export type Block = SectionBlock | HeaderBlock | ContextBlock | DividerBlock | ImageBlock | ActionsBlock | InputBlock;

export interface View {
  type: "modal";
  callback_id: string;
  title: PlainText;
  submit?: PlainText;
  close?: PlainText;
  /** The envelope data of the form's Action.Submit (JSON): merge the submitted inputs into it. */
  private_metadata?: string;
  blocks: Block[];
}

export interface BlockKitMessage {
  /** Plain fallback for notifications and clients without blocks. */
  text: string;
  blocks: Block[];
  /** The modal of each ShowCard button, keyed by the button's action_id. */
  modals: Record<string, View>;
}

export interface BlockKitOptions {
  /** At most this many blocks: 50 in a message (default), 100 in a modal. */
  maxBlocks?: number;
  /** The close button of modals, in the reader's language; Slack's default when absent. */
  cancelLabel?: string;
}

/** Slack's limits (Block Kit reference). */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  /** A Home tab view (views.publish) holds up to 100 blocks, like a modal. */
  homeBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  url: 3000,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  radioOptions: 10,
  placeholder: 150,
  inputLabel: 2000,
  textInput: 3000,
  altText: 2000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  text: 3000,
} as const;
