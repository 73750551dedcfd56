import type { MessageKey } from "./i18n.js";

/** Error codes a person may see; each has a message `errors.<code>` in every locale. */
type CodeOf<K> = K extends `errors.${infer Code}` ? Code : never;
export type ErrorCode = CodeOf<MessageKey>;

export type ErrorParams = Record<string, string | number>;

/**
 * The one error family: a code, the parameters of its message, and the cause. Whoever
 * catches it (CLI, HTTP, a chat adapter) renders `errors.<code>` in the reader's language.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}, cause?: unknown) {
    super(`${code} ${JSON.stringify(params)}`, cause === undefined ? undefined : { cause });
    this.name = "AppError";
    this.code = code;
    this.params = params;
  }

  get messageKey(): MessageKey {
    return `errors.${this.code}` as MessageKey;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
