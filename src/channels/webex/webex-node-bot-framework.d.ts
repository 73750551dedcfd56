/**
 * The parts of webex-node-bot-framework 2.3 (and the `webex` SDK it creates) that the Webex
 * channel uses. The package ships no type definitions; these are written from its source
 * (lib/framework.js, lib/bot.js, lib/webhook.js) and the SDK's plugins.
 */
declare module "webex-node-bot-framework" {
  import type { EventEmitter } from "node:events";

  namespace Framework {
    interface Options {
      token: string;
      webhookUrl?: string;
      webhookSecret?: string;
      removeWebhooksOnStart?: boolean;
      maxStartupSpaces?: number;
      messageFormat?: "text" | "markdown";
      fedramp?: boolean;
    }

    interface Person {
      id: string;
      emails: string[];
      displayName?: string;
      nickName?: string;
      type?: "person" | "bot" | "appuser";
      orgId?: string;
      /** True until the person has activated the account behind the email. */
      invitePending?: boolean;
      loginEnabled?: boolean;
    }

    interface Attachment {
      contentType: string;
      content: unknown;
    }

    interface Message {
      id: string;
      roomId: string;
      roomType?: "direct" | "group";
      parentId?: string;
      personId: string;
      personEmail?: string;
      text?: string;
      markdown?: string;
      html?: string;
      mentionedPeople?: string[];
      attachments?: Attachment[];
      created?: string;
    }

    interface NewMessage {
      roomId?: string;
      toPersonEmail?: string;
      toPersonId?: string;
      parentId?: string;
      text?: string;
      markdown?: string;
      attachments?: Attachment[];
      /** URLs, or files as the `request` library's multipart parts: then the SDK posts multipart form data. */
      files?: (string | { value: Buffer; options: { filename: string; contentType: string } })[];
    }

    interface AttachmentAction {
      id: string;
      type: string;
      messageId: string;
      inputs?: Record<string, unknown>;
      personId: string;
      roomId: string;
      created?: string;
    }

    interface Webhook {
      id: string;
      name: string;
      targetUrl: string;
      resource: string;
      event: string;
      filter?: string;
      status?: string;
    }

    interface Room {
      id: string;
      title?: string;
      type: "direct" | "group";
    }

    /** The Webex JS SDK instance the framework creates in start(). */
    interface Sdk {
      messages: {
        create(message: NewMessage): Promise<Message>;
        get(id: string): Promise<Message>;
        remove(id: string): Promise<void>;
      };
      people: {
        get(person: string | { id: string } | { personId: string }): Promise<Person>;
      };
      rooms: {
        get(id: string): Promise<Room>;
      };
      webhooks: {
        list(): Promise<{ items: Webhook[] }>;
        remove(webhook: Webhook | string): Promise<void>;
      };
      request(options: { service?: string; resource?: string; uri?: string; method?: string; qs?: Record<string, unknown>; body?: unknown }): Promise<{ statusCode: number; body: unknown }>;
    }

    interface Bot extends EventEmitter {
      id: string;
      room: Room;
      isDirect: boolean;
      isGroup: boolean;
      person: Person;
    }

    interface Trigger {
      type: "message" | "attachmentAction";
      id: string;
      text?: string;
      message?: Message;
      attachmentAction?: AttachmentAction;
      person: Person;
      personId: string;
    }
  }

  class Framework extends EventEmitter {
    constructor(options: Framework.Options);
    options: Framework.Options;
    active: boolean;
    initialized: boolean;
    person: Framework.Person;
    email: string;
    /** The SDK; an empty object until start(). */
    webex: Framework.Sdk;
    /** The "all" webhook once created; false if creating the webhooks failed; {} before. */
    webhook: Partial<Framework.Webhook> | false;
    cardsWebhook: Partial<Framework.Webhook>;
    /** Receives the framework's debug messages when set. */
    debugger?: (message: string, id: string) => void;
    start(): Promise<boolean>;
    stop(): Promise<boolean>;
  }

  export = Framework;
}

declare module "webex-node-bot-framework/webhook.js" {
  import type Framework = require("webex-node-bot-framework");

  /** The framework's express-style webhook handler: answers `res` (if given) at once, then checks and processes. */
  function webhook(framework: Framework): (req: { headers: Record<string, string | undefined>; body: unknown }, res?: unknown) => Promise<unknown>;
  export = webhook;
}
