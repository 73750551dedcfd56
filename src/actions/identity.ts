import type { Config } from "../config.js";
import { csmLocale, localeFrom, type Locale } from "../locale.js";
import type { PrismaClient } from "../db/database.js";
import { inPartnerDomains } from "../domain/contacts.js";
import { isSendChat, type ChatName, type SendChat } from "../protocol/chats.js";
import { isValidTimeZone } from "../domain/dates.js";
import { readerZone } from "../domain/quiet.js";

/** Who is talking, as the chat platform vouches for it. */
export interface ChatIdentity {
  channel: ChatName;
  /** Webex personId, Slack user id, or (preview) the CSM's email. */
  userId: string;
  /** The email the platform returns for the user; only a verified one links an account. */
  email?: string | null;
  emailVerified: boolean;
  /** The platform's locale for the user, e.g. "ru-RU" (Slack users.info include_locale); kept on their chat_identity row. */
  platformLocale?: string | null;
  /** The IANA zone the platform reports for the user (Slack users.info `tz`); kept on their chat_identity row for quiet hours and times. */
  platformTimeZone?: string | null;
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
  /** In TEAM_LEADS: gets escalations and, like an admin, may assign a deployment to another CSM. */
  isTeamLead?: boolean;
  channel: ChatIdentity["channel"];
}

export type Identification = { ok: true; actor: Actor } | { ok: false; reason: "stranger" | "outsideDomain"; locale: Locale };

/**
 * Only known CSMs of the partner may query or act: matched by the chat identity linked
 * before, or by a verified email within the partner's domains (which links it now). The
 * language the platform reports is kept on the chat identity, so alerts sent later on that
 * chat (no conversation) speak it too.
 */
export async function identify(prisma: PrismaClient, config: Config, identity: ChatIdentity): Promise<Identification> {
  const reported = localeFrom(identity.platformLocale) ?? null;
  const fallbackLocale = reported ?? config.partner.defaultLocale;
  // A chat with accounts of its own links them to CSMs; the others vouch for the email alone.
  const chat = isSendChat(identity.channel) ? identity.channel : undefined;
  const linked = chat ? await prisma.chatIdentity.findUnique({ where: { chat_userId: { chat, userId: identity.userId } }, include: { csm: true } }) : null;
  let csm = linked?.csm.active ? linked.csm : null;
  let chatLocale = linked?.locale ?? null;
  const reportedZone = identity.platformTimeZone && isValidTimeZone(identity.platformTimeZone) ? identity.platformTimeZone : null;
  let chatZone = linked?.timeZone ?? null;
  if (csm && linked && ((reported && reported !== linked.locale) || (reportedZone && reportedZone !== linked.timeZone))) {
    const updated = await prisma.chatIdentity.update({ where: { id: linked.id }, data: { ...(reported ? { locale: reported } : {}), ...(reportedZone ? { timeZone: reportedZone } : {}) } });
    chatLocale = updated.locale;
    chatZone = updated.timeZone;
  }
  if (!csm) {
    const email = identity.email?.trim().toLowerCase();
    const verified = identity.emailVerified;
    if (!email || !verified) return { ok: false, reason: "stranger", locale: fallbackLocale };
    if (!inPartnerDomains(email, config.partner.domains)) return { ok: false, reason: "outsideDomain", locale: fallbackLocale };
    csm = await prisma.csm.findFirst({ where: { email, active: true } });
    if (!csm) return { ok: false, reason: "stranger", locale: fallbackLocale };
    if (chat) ({ locale: chatLocale, timeZone: chatZone } = await link(prisma, csm.id, chat, identity.userId, reported, reportedZone));
  }
  return {
    ok: true,
    actor: {
      csmId: csm.id,
      name: csm.name,
      email: csm.email,
      locale: csmLocale(csm, chatLocale, fallbackLocale),
      languageKnown: Boolean(localeFrom(csm.locale) ?? localeFrom(chatLocale)),
      timeZone: readerZone(csm.timeZone, chatZone, config.partner.timeZone),
      isAdmin: config.partner.admins.includes(csm.email.toLowerCase()),
      isTeamLead: config.partner.teamLeads.includes(csm.email.toLowerCase()),
      channel: identity.channel,
    },
  };
}

/** Admins and team leads may assign a deployment to someone else (and choose among the CSMs). */
export const mayAssignOthers = (actor: Pick<Actor, "isAdmin" | "isTeamLead">): boolean => actor.isAdmin || actor.isTeamLead === true;

/**
 * Links the chat account to the CSM its verified email names, replacing the CSM's earlier
 * account on that chat. An account still linked to someone else (only an inactive CSM can
 * hold it, or it would have matched) moves over: the platform now vouches it is this CSM.
 */
async function link(prisma: PrismaClient, csmId: number, chat: SendChat, userId: string, locale: string | null, timeZone: string | null) {
  const [, row] = await prisma.$transaction([
    prisma.chatIdentity.deleteMany({ where: { chat, userId, csmId: { not: csmId } } }),
    prisma.chatIdentity.upsert({
      where: { csmId_chat: { csmId, chat } },
      create: { csmId, chat, userId, locale, timeZone, verified: true },
      // An unreported language or zone keeps the one known for the person.
      update: { userId, verified: true, ...(locale ? { locale } : {}), ...(timeZone ? { timeZone } : {}) },
    }),
  ]);
  return row;
}
