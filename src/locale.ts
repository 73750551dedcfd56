/** The languages the bot speaks; the English locale files are the source of every message key. */
export const LOCALES = ["en", "ru"] as const;
export type Locale = (typeof LOCALES)[number];

/** "ru-RU", "en_GB", "RU" → the language the bot speaks, if it speaks it. */
export function localeFrom(platformLocale: string | null | undefined): Locale | undefined {
  const language = platformLocale?.toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(language ?? "") ? (language as Locale) : undefined;
}

/** A CSM's language: their own choice, else what their chat platform reported, else the partner's. */
export function csmLocale(csm: { locale: string | null; platformLocale?: string | null } | undefined, fallback: Locale): Locale {
  return localeFrom(csm?.locale) ?? localeFrom(csm?.platformLocale) ?? fallback;
}
