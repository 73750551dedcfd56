/**
 * The Adaptive Card 1.3 JSON our templates produce, as types: the subset Webex renders and
 * Slack's Block Kit translation reads. Vocabulary only; the walks are in src/cards/.
 */

export type Spacing = "None" | "Small" | "Default" | "Medium" | "Large" | "ExtraLarge" | "Padding";
export type TextSize = "Small" | "Default" | "Medium" | "Large" | "ExtraLarge";
export type ContainerStyle = "default" | "emphasis" | "good" | "attention" | "warning" | "accent";

interface ElementBase {
  id?: string;
  spacing?: Spacing;
  separator?: boolean;
  isVisible?: boolean;
}

export interface TextBlock extends ElementBase {
  type: "TextBlock";
  text: string;
  size?: TextSize;
  weight?: "Lighter" | "Default" | "Bolder";
  color?: "Default" | "Dark" | "Light" | "Accent" | "Good" | "Warning" | "Attention";
  isSubtle?: boolean;
  wrap?: boolean;
  maxLines?: number;
  horizontalAlignment?: "Left" | "Center" | "Right";
}

export interface Fact {
  title: string;
  value: string;
}

export interface FactSet extends ElementBase {
  type: "FactSet";
  facts: Fact[];
}

export interface Image extends ElementBase {
  type: "Image";
  url: string;
  altText?: string;
  size?: "Auto" | "Stretch" | "Small" | "Medium" | "Large";
}

export interface Container extends ElementBase {
  type: "Container";
  items: CardElement[];
  style?: ContainerStyle;
  bleed?: boolean;
}

export interface Column extends ElementBase {
  type: "Column";
  items: CardElement[];
  width?: string | number;
  style?: ContainerStyle;
}

export interface ColumnSet extends ElementBase {
  type: "ColumnSet";
  columns: Column[];
}

export interface ActionSet extends ElementBase {
  type: "ActionSet";
  actions: CardAction[];
}

interface InputBase extends ElementBase {
  id: string;
  label?: string;
  isRequired?: boolean;
  errorMessage?: string;
}

export interface InputText extends InputBase {
  type: "Input.Text";
  placeholder?: string;
  value?: string;
  isMultiline?: boolean;
  maxLength?: number;
  style?: "Text" | "Tel" | "Url" | "Email";
  regex?: string;
}

export interface Choice {
  title: string;
  value: string;
}

export interface InputChoiceSet extends InputBase {
  type: "Input.ChoiceSet";
  choices: Choice[];
  value?: string;
  placeholder?: string;
  style?: "compact" | "expanded";
  isMultiSelect?: boolean;
}

export type CardInput = InputText | InputChoiceSet;
export type CardElement = TextBlock | FactSet | Image | Container | ColumnSet | ActionSet | CardInput;
export type ElementType = CardElement["type"];

interface ActionBase {
  title: string;
  style?: "default" | "positive" | "destructive";
  iconUrl?: string;
}

export interface SubmitAction extends ActionBase {
  type: "Action.Submit";
  /** An envelope (src/actions/envelope.ts), before the inputs are merged in. */
  data: Record<string, unknown>;
}

export interface OpenUrlAction extends ActionBase {
  type: "Action.OpenUrl";
  url: string;
}

export interface ShowCardAction extends ActionBase {
  type: "Action.ShowCard";
  card: NestedCard;
}

export type CardAction = SubmitAction | OpenUrlAction | ShowCardAction;
export type ActionType = CardAction["type"];

/** The card inside an Action.ShowCard (it inherits the version of its parent). */
export interface NestedCard {
  type: "AdaptiveCard";
  body: CardElement[];
  actions?: CardAction[];
}

export interface AdaptiveCard extends NestedCard {
  $schema?: string;
  version: string;
  lang?: string;
}

