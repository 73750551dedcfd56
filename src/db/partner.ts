import type { Config } from "../config.js";
import type { PrismaClient } from "./database.js";

/** The configuration is the truth for the partner; the row lets queries and `settings` see it. */
export async function syncPartnerSettings(prisma: PrismaClient, config: Config): Promise<void> {
  const data = {
    name: config.partner.name,
    emailDomains: config.partner.domains,
    defaultLocale: config.partner.defaultLocale,
    timeZone: config.partner.timeZone,
    stallThresholds: config.alerts.stallThresholds,
    reminderDays: config.alerts.reminderDays,
  };
  await prisma.partnerSettings.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
  // Team spaces named in TEAM_SPACES take alerts no assigned CSM hears.
  for (const space of config.teamSpaces) {
    await prisma.teamSpace.upsert({
      where: { channel_address: { channel: space.channel, address: space.address } },
      create: { channel: space.channel, address: space.address, name: space.name, receivesUnassigned: true },
      update: { name: space.name },
    });
  }
}
