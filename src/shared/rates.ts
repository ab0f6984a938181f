// The rates of docs/metrics.md ("Metrics"), computed here only: the core's source rows, totals and paid
// sums, and the renderer's campaign/ad set groups and filtered totals all divide through these.
// Pure functions: no Node, Electron or DOM (the renderer imports them).

/** A share of a count (the funnel's step rates): n ÷ of, 0 when `of` is 0. */
export const shareOf = (n: number, of: number): number => (of > 0 ? n / of : 0);

/** leads ÷ conversations; 0 when there are none. */
export const conversionRate = (leads: number, conversations: number): number => shareOf(leads, conversations);

/** invested ÷ a count (a template's cost per delivered message or per reply); null when invested is null or the count is 0. */
export const costPer = (invested: number | null, n: number): number | null =>
  invested === null || n === 0 ? null : invested / n;

/** invested ÷ leads (the conversion cost); null when invested is null or there is no lead. */
export const costPerLead = (invested: number | null, leads: number): number | null =>
  costPer(invested, leads);

/** revenue ÷ invested; null when either is null or invested is 0. */
export const roas = (revenue: number | null, invested: number | null): number | null =>
  revenue === null || invested === null || invested === 0 ? null : revenue / invested;

export interface Rates {
  conversionRate: number;
  costPerLead: number | null;
  roas: number | null;
}

/** The three rates of a row (a source, a group, the totals) from its sums. */
export function ratesOf(sums: {
  conversations: number;
  leads: number;
  invested: number | null;
  revenue: number | null;
}): Rates {
  return {
    conversionRate: conversionRate(sums.leads, sums.conversations),
    costPerLead: costPerLead(sums.invested, sums.leads),
    roas: roas(sums.revenue, sums.invested),
  };
}

/**
 * Change of a count or an amount against the period compared with, as a fraction (0.25 = +25 %); null
 * when either is missing or the earlier one is 0 (docs/metrics.md "Previous period": rates compare in
 * percentage points instead, their plain difference).
 */
export const relativeChange = (now: number | null, before: number | null): number | null =>
  now === null || before === null || before === 0 ? null : (now - before) / Math.abs(before);

/** clicks ÷ impressions (Meta's delivery of an ad); null without impressions. */
export const clickThroughRate = (clicks: number | null, impressions: number | null): number | null =>
  clicks === null || impressions === null || impressions === 0 ? null : clicks / impressions;

/** revenue ÷ leads; null when there is no revenue figure or no lead. */
export const revenuePerLead = (revenue: number | null, leads: number): number | null =>
  revenue === null || leads === 0 ? null : revenue / leads;

/**
 * invested ÷ Meta's messaging conversations started (Ads Manager's "cost per messaging conversation
 * started", over our Invested); null when invested is null or Meta counted none.
 */
export const costPerConversationStarted = (invested: number | null, started: number | null): number | null =>
  invested === null || started === null || started === 0 ? null : invested / started;

/**
 * Over the ad sources for which Meta reports conversations started: their sum, and their Invested ÷ that
 * sum (the KPI beside the conversion cost). Null when no source has Meta's figure.
 */
export function conversationsStartedOf(
  rows: readonly {
    invested: number | null;
    meta?: { metaConversationsStarted: number | null } | undefined;
  }[],
): { metaConversationsStarted: number | null; costPerConversationStarted: number | null } {
  let started: number | null = null;
  let invested: number | null = null;
  for (const r of rows) {
    const s = r.meta?.metaConversationsStarted;
    if (s === null || s === undefined) continue;
    started = (started ?? 0) + s;
    // Cents, so sums print as 60.3 rather than 60.300000000000004.
    if (r.invested !== null) invested = (invested ?? 0) + Math.round(r.invested * 100);
  }
  const inv = invested === null ? null : invested / 100;
  return {
    metaConversationsStarted: started,
    costPerConversationStarted: costPerConversationStarted(inv, started),
  };
}
