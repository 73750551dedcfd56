/**
 * The chats the bot speaks, and what each one is at its core: the one list every chat
 * name union is derived from. A chat that sends (`sends: true`) has a platform API behind
 * it: outbox rows, a port, and accounts linked to CSMs in `chat_identity`; the preview only
 * shows what the outbox holds. Adding a chat starts here, and the
 * composition root's registry (src/channels/registry.ts) then fails to compile until the
 * new chat has an adapter.
 */
export const CHAT_REGISTRY = {
  webex: { sends: true, title: "Webex", home: false },
  // The App Home tab: a page of the CSM's own that the outbox republishes (port.publishHome).
  slack: { sends: true, title: "Slack", home: true },
  // Identifies a person by the email its token vouches for; it has no accounts of its own.
  preview: { sends: false, title: "Preview", home: false },
} as const satisfies Record<string, { sends: boolean; title: string; home: boolean }>;

export type ChatName = keyof typeof CHAT_REGISTRY;

/** The chats with a platform API behind them: outbox rows, team spaces and replay ids are per one of these. */
export type SendChat = { [C in ChatName]: (typeof CHAT_REGISTRY)[C]["sends"] extends true ? C : never }[ChatName];

export const CHAT_NAMES = Object.keys(CHAT_REGISTRY) as ChatName[];
export const SEND_CHATS = CHAT_NAMES.filter((chat): chat is SendChat => CHAT_REGISTRY[chat].sends);

export const isSendChat = (chat: string): chat is SendChat => (SEND_CHATS as readonly string[]).includes(chat);

/** The chats whose port publishes a Home page for each CSM: `home` outbox rows go to these. */
export const HOME_CHATS = SEND_CHATS.filter((chat) => CHAT_REGISTRY[chat].home);
