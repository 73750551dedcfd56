/** The languages the bot speaks; the English locale files are the source of every message key. */
export const LOCALES = ["en", "ru"] as const;
export type Locale = (typeof LOCALES)[number];

/** "ru-RU", "en_GB", "RU" → the language the bot speaks, if it speaks it. */
export function localeFrom(platformLocale: string | null | undefined): Locale | undefined {
  const language = platformLocale?.toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(language ?? "") ? (language as Locale) : undefined;
}

/**
 * The language a CSM reads on one chat: their own choice, else what that chat last reported
 * for them (their chat_identity row), else the partner's. The pipeline's answers and every
 * card the dispatcher sends or redraws go through here, so they agree.
 */
export function csmLocale(csm: { locale: string | null } | undefined, chatLocale: string | null | undefined, fallback: Locale): Locale {
  return localeFrom(csm?.locale) ?? localeFrom(chatLocale) ?? fallback;
}
