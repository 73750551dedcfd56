import type Framework from "webex-node-bot-framework";
import type webhookHandler from "webex-node-bot-framework/webhook.js";

export type { Framework };
export type WebexSdk = Framework.Sdk;
export type WebexMessage = Framework.Message;
export type WebexPerson = Framework.Person;
export type WebhookHandler = ReturnType<typeof webhookHandler>;

interface Loaded {
  apiUrl: string;
  modules: Promise<{ Framework: typeof Framework; webhook: typeof webhookHandler }>;
}

let loaded: Loaded | undefined;

/**
 * Loads webex-node-bot-framework (and with it the `webex` SDK) for one API address. The
 * SDK reads HYDRA_SERVICE_URL (and WEBEX_LOG_LEVEL) once, when it is first loaded, and has
 * no option for it: so the variables are set here, just before the first import, and a
 * second address in the same process is refused rather than silently ignored.
 */
export function loadFramework(apiUrl: string): Loaded["modules"] {
  if (loaded && loaded.apiUrl !== apiUrl) {
    return Promise.reject(new Error(`The Webex SDK is already loaded for ${loaded.apiUrl}; it reads its API address once per process and cannot also use ${apiUrl}.`));
  }
  if (!loaded) {
    process.env.HYDRA_SERVICE_URL = apiUrl;
    // The SDK prints its own log to the console, at "trace" when NODE_ENV=test; errors only
    // unless the operator asks for more (WEBEX_LOG_LEVEL=debug to troubleshoot).
    process.env.WEBEX_LOG_LEVEL ??= "error";
    loaded = {
      apiUrl,
      modules: Promise.all([import("webex-node-bot-framework"), import("webex-node-bot-framework/webhook.js")]).then(([framework, webhook]) => ({
        Framework: framework.default,
        webhook: webhook.default,
      })),
    };
  }
  return loaded.modules;
}

/** Webex for Government: the SDK needs its `fedramp` switch (it then ignores HYDRA_SERVICE_URL). */
export function isFedRamp(apiUrl: string): boolean {
  return new URL(apiUrl).hostname === "api-usgov.webex.com";
}

/**
 * The SDK's person lookup goes through a batcher that, when the lookup fails (a 404, or an
 * id Webex reports as not found), never settles the caller's promise, keeps the id cached
 * so every later lookup of that person hangs too, and leaves a rejected promise unhandled,
 * which ends a Node 20 process. The framework looks up the sender of every message and
 * card submit this way. We route lookups by id on our SDK instance to GET people/{id}: one
 * request, which resolves or rejects like any other (the framework then drops the event).
 */
export function guardPeopleLookup(sdk: WebexSdk): void {
  const original = sdk.people.get.bind(sdk.people);
  sdk.people.get = (person) => {
    if (person === "me") return original(person);
    const id = typeof person === "string" ? person : "personId" in person ? person.personId : person.id;
    return sdk.request({ service: "hydra", resource: `people/${encodeURIComponent(id)}` }).then((res) => res.body as WebexPerson);
  };
}
