import { MICRO } from '../engine';
import type { SourceAgg } from './aggregates';
import type { Invested } from './invested';

// Sums shared by the source rows and the totals: counts and revenue per currency (millionths), Invested.

/** Adds conversations, leads and (optionally) revenue per currency; contacts are not additive. */
export function addAgg(into: SourceAgg, a: SourceAgg, revenue = true): void {
  into.conversations += a.conversations;
  into.leads += a.leads;
  if (revenue) for (const [cur, amt] of a.revenue) into.revenue.set(cur, (into.revenue.get(cur) ?? 0) + amt);
}

export function splitRevenue(
  map: Map<string, number>,
  currency: string,
  carries: boolean,
): { revenue: number | null; revenueOther: Record<string, number> } {
  if (!carries) return { revenue: null, revenueOther: {} };
  if (map.size === 0) return { revenue: 0, revenueOther: {} };
  const other: Record<string, number> = {};
  // Most rows have one currency: only several are sorted (so the record's order is the currencies').
  const entries = map.size === 1 ? map.entries() : [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [cur, amt] of entries) if (cur !== currency && amt !== 0) other[cur] = amt / MICRO;
  return { revenue: (map.get(currency) ?? 0) / MICRO, revenueOther: other };
}

/** Sums in millionths, like revenue, so totals print as 3189.33 rather than 3189.3299999999995. */
export function mergeInvested(
  rows: { invested: number | null; investedOther: Record<string, number> }[],
): Invested {
  let invested: number | null = null;
  const other: Record<string, number> = {};
  for (const r of rows) {
    if (r.invested !== null) invested = (invested ?? 0) + Math.round(r.invested * MICRO);
    for (const [cur, amt] of Object.entries(r.investedOther))
      other[cur] = (other[cur] ?? 0) + Math.round(amt * MICRO);
  }
  for (const cur of Object.keys(other)) other[cur] = other[cur]! / MICRO;
  return { invested: invested === null ? null : invested / MICRO, other, from: null };
}
