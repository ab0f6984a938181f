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
