import type { Prisma } from "../generated/prisma/client.js";
import type { Filters } from "../commands/types.js";

export const PAGE_SIZE = 10;

/**
 * Text for Prisma's `contains`, which becomes `LIKE '%' || value || '%'` without escaping
 * (checked: `customer %` matched every customer). PostgreSQL's LIKE escapes with a
 * backslash by default, so `\`, `%` and `_` are prefixed with one and match themselves.
 */
export function likeText(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Restricts use-case deployments to the partner's active, non-excluded ones matching the
 * filters: lists show what LCA shows, and an exclusion (of the use case or of its whole
 * account) hides it there. `assignedCsmId` null: the deployments nobody is assigned to.
 */
export function useCaseWhere(filters: Filters, assignedCsmId?: number | null): Prisma.UseCaseDeploymentWhereInput {
  const and: Prisma.UseCaseDeploymentWhereInput[] = [{ active: true, excluded: false, deployment: { customer: { excluded: false } } }];
  if (assignedCsmId !== undefined) and.push({ deployment: { assignedCsmId } });
  if (filters.cpi) and.push({ cpiEligible: true });
  if (filters.tags.length > 0) and.push({ OR: filters.tags.map((tag) => ({ tags: { has: tag } })) });
  if (filters.architectures.length > 0) {
    and.push({ OR: filters.architectures.map((a) => ({ useCase: { architecture: { equals: a, mode: "insensitive" as const } } })) });
  }
  if (filters.customers.length > 0) {
    and.push({
      OR: filters.customers.map((c) => ({
        deployment: { customer: { OR: [{ crPartyId: c }, { name: { contains: likeText(c), mode: "insensitive" as const } }] } },
      })),
    });
  }
  return { AND: and };
}

export interface Page {
  page: number;
  pageCount: number;
  total: number;
  skip: number;
  take: number;
}

export function pageOf(requested: number, total: number, size = PAGE_SIZE): Page {
  const pageCount = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, requested), pageCount);
  return { page, pageCount, total, skip: (page - 1) * size, take: size };
}
