/** What a subscription narrows its alerts to: any of these tags, architectures or customers. */
export interface SubscriptionFilters {
  tags?: string[];
  architectures?: string[];
  customers?: string[];
}

/** Whether a subscription narrows at all (one without filters follows every alert of its kinds). */
export const hasFilters = (f: SubscriptionFilters): boolean => Boolean(f.tags?.length || f.architectures?.length || f.customers?.length);
