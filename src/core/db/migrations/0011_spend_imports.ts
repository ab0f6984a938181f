import type { Migration } from '../migrate';

// Daily spend of non-Meta sources (Google Ads driving wa.me links, TikTok, printed QR codes) imported
// from a CSV (docs/metrics.md, "Imported spend"). One amount per source, date and currency: an import
// sets the day's amount (rows of one file for the same day add up first), so importing the same file
// again changes nothing and a corrected file replaces the days it covers. Amounts in millionths, so
// re-imports never drift.
export const m0011: Migration = {
  id: 11,
  name: 'spend_imports',
  up: `
CREATE TABLE attr_spend_imports (
  source_key TEXT NOT NULL,
  date TEXT NOT NULL,                    -- YYYY-MM-DD, a plain date like Meta's
  currency TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount >= 0), -- millionths of the currency's major unit
  note TEXT,
  file TEXT,                             -- the file name it came from
  imported_at INTEGER NOT NULL,          -- unix ms
  PRIMARY KEY (source_key, date, currency)
) STRICT, WITHOUT ROWID;
CREATE INDEX attr_spend_imports_date ON attr_spend_imports(date, source_key, currency, amount);
`,
};
