import type { Migration } from '../migrate';

// The running totals of every ad on one date, in one range scan: a report finds each ad's total before its
// range here instead of seeking it ad by ad (docs/metrics.md, "Invested"). Covering, so the scan never
// visits the table (https://www.sqlite.org/queryplanner.html, "Covering Indexes").
export const m0012: Migration = {
  id: 12,
  name: 'spend_by_date',
  up: `
CREATE INDEX attr_spend_cum_date ON attr_spend_cum(date, ad_id, currency, spend, impressions, clicks, started, days);
`,
};
