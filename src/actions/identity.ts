import type { Config } from "../config.js";
import { csmLocale, localeFrom, type Locale } from "../locale.js";
import type { PrismaClient } from "../db/database.js";
import { inPartnerDomains } from "../domain/contacts.js";
import type { ChatChannel } from "../generated/prisma/enums.js";

/** Who is talking, as the chat platform vouches for it. */
export interface ChatIdentity {
  channel: Exclude<ChatChannel, "cli">;
  /** Webex personId, Slack user id, or (preview) the CSM's email. */
  userId: string;
  /** The email the platform returns for the user; only a verified one links an account. */
  email?: string | null;
  emailVerified: boolean;
  /** The platform's locale for the user, e.g. "ru-RU" (Slack users.info include_locale). */
  platformLocale?: string | null;
}

/** A known CSM of the partner, resolved for this conversation. */
export interface Actor {
  csmId: number;
  name: string;
  email: string;
  locale: Locale;
  /** false: neither the CSM nor their chat platform named a language (the partner default stands in). */
  languageKnown: boolean;
  timeZone: string;
  isAdmin: boolean;
  channel: ChatIdentity["channel"];
}

export type Identification = { ok: true; actor: Actor } | { ok: false; reason: "stranger" | "outsideDomain"; locale: Locale };

const idColumn = { webex: "webexPersonId", slack: "slackUserId" } as const;


/**
 * Only known CSMs of the partner may query or act: matched by the chat identity linked
 * before, or by a verified email within the partner's domains (which links it now).
 */
export async function identify(prisma: PrismaClient, config: Config, identity: ChatIdentity): Promise<Identification> {
  const fallbackLocale = localeFrom(identity.platformLocale) ?? config.partner.defaultLocale;
  const column = identity.channel === "preview" ? undefined : idColumn[identity.channel];
  let csm = column ? await prisma.csm.findFirst({ where: { [column]: identity.userId, active: true } }) : null;
  if (!csm) {
    const email = (identity.channel === "preview" ? identity.userId : identity.email)?.trim().toLowerCase();
    const verified = identity.channel === "preview" || identity.emailVerified;
    if (!email || !verified) return { ok: false, reason: "stranger", locale: fallbackLocale };
    if (!inPartnerDomains(email, config.partner.domains)) return { ok: false, reason: "outsideDomain", locale: fallbackLocale };
    csm = await prisma.csm.findFirst({ where: { email, active: true } });
    if (!csm) return { ok: false, reason: "stranger", locale: fallbackLocale };
    if (column) csm = await prisma.csm.update({ where: { id: csm.id }, data: { [column]: identity.userId } });
  }
  const reported = localeFrom(identity.platformLocale);
  // Remember what the platform says, so alerts sent later (no conversation) speak it too.
  if (reported && reported !== csm.platformLocale) csm = await prisma.csm.update({ where: { id: csm.id }, data: { platformLocale: reported } });
  return {
    ok: true,
    actor: {
      csmId: csm.id,
      name: csm.name,
      email: csm.email,
      locale: csmLocale(csm, fallbackLocale),
      languageKnown: Boolean(localeFrom(csm.locale) ?? localeFrom(csm.platformLocale)),
      timeZone: csm.timeZone ?? config.partner.timeZone,
      isAdmin: config.partner.admins.includes(csm.email.toLowerCase()),
      channel: identity.channel,
    },
  };
}
