import type Database from 'better-sqlite3';
import type { Migration } from '../migrate';

// Reports over short ranges (docs/metrics.md; issue 4's 30-day target), two parts:
// 1. Per-source conversation counts over 7- and 28-day blocks for every derived table set that has none
//    yet (blockSummarySql, frozen as shipped; `$` stands for the set's prefix), filled from the day-level
//    summaries.
// 2. Invested over any range in at most two index seeks per ad: running totals of each ad's Meta spend
//    by date ("Invested"). Replaces 0004's monthly sums, which left a 30-day range reading up to 30 daily
//    rows per ad. Triggers on meta_spend keep them exact through every insert, re-sync and delete; the
//    Meta sync writes windows oldest first and re-reads only the last 28 days, so a write touches at most
//    the few running totals after its date.
const delta = (sign: '+' | '-', row: 'NEW' | 'OLD', table: string, where: string) => `
  UPDATE ${table} SET
    spend = spend ${sign} CAST(ROUND(${row}.spend * 1000000) AS INTEGER),
    impressions = impressions ${sign} COALESCE(${row}.impressions, 0),
    clicks = clicks ${sign} COALESCE(${row}.clicks, 0),
    started = started ${sign} COALESCE(${row}.messaging_started, 0),
    days = days ${sign} 1${
      table === 'attr_spend_cum'
        ? `,
    n = n ${sign} (date = ${row}.date)`
        : ''
    }
  WHERE ad_id = ${row}.ad_id AND currency = ${row}.currency AND ${where};`;

// A date's row starts from the running total of the date before it. NOT EXISTS rather than OR IGNORE:
// inside a trigger the outer statement's conflict policy (the Meta sync's upsert) would override it.
const add = `
  INSERT INTO attr_spend_ads (ad_id, currency, last_date, spend, impressions, clicks, started, days)
    SELECT NEW.ad_id, NEW.currency, NEW.date, 0, 0, 0, 0, 0
    WHERE NOT EXISTS (SELECT 1 FROM attr_spend_ads WHERE ad_id = NEW.ad_id AND currency = NEW.currency);
  INSERT INTO attr_spend_cum (ad_id, currency, date, spend, impressions, clicks, started, days, n)
    SELECT NEW.ad_id, NEW.currency, NEW.date, COALESCE(p.spend, 0), COALESCE(p.impressions, 0),
           COALESCE(p.clicks, 0), COALESCE(p.started, 0), COALESCE(p.days, 0), 0
    FROM (SELECT 1) LEFT JOIN (
      SELECT spend, impressions, clicks, started, days FROM attr_spend_cum
      WHERE ad_id = NEW.ad_id AND currency = NEW.currency AND date < NEW.date ORDER BY date DESC LIMIT 1) p
    WHERE NOT EXISTS (
      SELECT 1 FROM attr_spend_cum WHERE ad_id = NEW.ad_id AND currency = NEW.currency AND date = NEW.date);
  ${delta('+', 'NEW', 'attr_spend_cum', 'date >= NEW.date')}
  ${delta('+', 'NEW', 'attr_spend_ads', '1')}
  UPDATE attr_spend_ads SET last_date = MAX(last_date, NEW.date) WHERE ad_id = NEW.ad_id AND currency = NEW.currency;`;

const remove = `
  ${delta('-', 'OLD', 'attr_spend_cum', 'date >= OLD.date')}
  DELETE FROM attr_spend_cum WHERE ad_id = OLD.ad_id AND currency = OLD.currency AND date = OLD.date AND n = 0;
  ${delta('-', 'OLD', 'attr_spend_ads', '1')}
  UPDATE attr_spend_ads SET last_date = COALESCE(
      (SELECT MAX(date) FROM attr_spend_cum WHERE ad_id = OLD.ad_id AND currency = OLD.currency), '')
    WHERE ad_id = OLD.ad_id AND currency = OLD.currency;`;

const spendSql = `
DROP TRIGGER attr_meta_spend_ins;
DROP TRIGGER attr_meta_spend_del;
DROP TRIGGER attr_meta_spend_upd;
DROP TABLE attr_spend_month;
-- Covered 0004's edge-day sums; the per-day reads left (manual entries over an ad) use meta_spend_ad_date.
DROP INDEX attr_meta_spend_ad;
-- Every (ad, currency) that ever had spend, with its totals through its last date: a range that ends on or
-- after that date needs only the running total before its start.
CREATE TABLE attr_spend_ads (
  ad_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  last_date TEXT NOT NULL,               -- '' once every row is gone
  spend INTEGER NOT NULL,
  impressions INTEGER NOT NULL,
  clicks INTEGER NOT NULL,
  started INTEGER NOT NULL,
  days INTEGER NOT NULL,
  PRIMARY KEY (ad_id, currency)
) STRICT, WITHOUT ROWID;
-- Running totals through each date that has spend rows; spend in millionths, so totals never drift.
CREATE TABLE attr_spend_cum (
  ad_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  date TEXT NOT NULL,                    -- YYYY-MM-DD, Meta's date as a plain date
  spend INTEGER NOT NULL,
  impressions INTEGER NOT NULL,
  clicks INTEGER NOT NULL,
  started INTEGER NOT NULL,
  days INTEGER NOT NULL,                 -- meta_spend rows through this date
  n INTEGER NOT NULL,                    -- meta_spend rows on this date (the row goes when it reaches 0)
  PRIMARY KEY (ad_id, currency, date)
) STRICT, WITHOUT ROWID;
INSERT INTO attr_spend_cum
  SELECT ad_id, currency, date,
    SUM(SUM(CAST(ROUND(spend * 1000000) AS INTEGER))) OVER w, SUM(SUM(COALESCE(impressions, 0))) OVER w,
    SUM(SUM(COALESCE(clicks, 0))) OVER w, SUM(SUM(COALESCE(messaging_started, 0))) OVER w,
    SUM(COUNT(*)) OVER w, COUNT(*)
  FROM meta_spend GROUP BY ad_id, currency, date
  WINDOW w AS (PARTITION BY ad_id, currency ORDER BY date);
INSERT INTO attr_spend_ads
  SELECT ad_id, currency, date, spend, impressions, clicks, started, days FROM attr_spend_cum c
  WHERE date = (SELECT MAX(date) FROM attr_spend_cum WHERE ad_id = c.ad_id AND currency = c.currency);
CREATE TRIGGER attr_spend_cum_ins AFTER INSERT ON meta_spend BEGIN ${add}
END;
CREATE TRIGGER attr_spend_cum_del AFTER DELETE ON meta_spend BEGIN ${remove}
END;
CREATE TRIGGER attr_spend_cum_upd AFTER UPDATE ON meta_spend BEGIN ${remove} ${add}
END;
`;

const blockSummarySql = `
CREATE TABLE $sum_src_w (
  phone TEXT NOT NULL, block INTEGER NOT NULL, source INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, block, source)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER $sum_src_w_ins AFTER INSERT ON $sum_src BEGIN
  INSERT INTO $sum_src_w VALUES (NEW.phone, NEW.day / 7, NEW.source, NEW.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER $sum_src_w_upd AFTER UPDATE OF n ON $sum_src BEGIN
  UPDATE $sum_src_w SET n = n + NEW.n - OLD.n WHERE phone = NEW.phone AND block = NEW.day / 7 AND source = NEW.source;
  DELETE FROM $sum_src_w WHERE phone = NEW.phone AND block = NEW.day / 7 AND source = NEW.source AND n = 0;
END;
CREATE TRIGGER $sum_src_w_del AFTER DELETE ON $sum_src BEGIN
  UPDATE $sum_src_w SET n = n - OLD.n WHERE phone = OLD.phone AND block = OLD.day / 7 AND source = OLD.source;
  DELETE FROM $sum_src_w WHERE phone = OLD.phone AND block = OLD.day / 7 AND source = OLD.source AND n = 0;
END;

CREATE TABLE $sum_src_m (
  phone TEXT NOT NULL, block INTEGER NOT NULL, source INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (phone, block, source)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER $sum_src_m_ins AFTER INSERT ON $sum_src BEGIN
  INSERT INTO $sum_src_m VALUES (NEW.phone, NEW.day / 28, NEW.source, NEW.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER $sum_src_m_upd AFTER UPDATE OF n ON $sum_src BEGIN
  UPDATE $sum_src_m SET n = n + NEW.n - OLD.n WHERE phone = NEW.phone AND block = NEW.day / 28 AND source = NEW.source;
  DELETE FROM $sum_src_m WHERE phone = NEW.phone AND block = NEW.day / 28 AND source = NEW.source AND n = 0;
END;
CREATE TRIGGER $sum_src_m_del AFTER DELETE ON $sum_src BEGIN
  UPDATE $sum_src_m SET n = n - OLD.n WHERE phone = OLD.phone AND block = OLD.day / 28 AND source = OLD.source;
  DELETE FROM $sum_src_m WHERE phone = OLD.phone AND block = OLD.day / 28 AND source = OLD.source AND n = 0;
END;
CREATE INDEX $conv_rep ON $conversations(phone, prev_src_day, day, source) WHERE prev_src_day >= 0;
-- Ad sources of a range are found by kind: a workspace has a few ads and can have 100,000s of first texts.
CREATE INDEX $sources_kind ON $sources(kind);
INSERT INTO $sum_src_w SELECT phone, day / 7, source, SUM(n) FROM $sum_src GROUP BY 1, 2, 3 HAVING SUM(n) <> 0;
INSERT INTO $sum_src_m SELECT phone, day / 28, source, SUM(n) FROM $sum_src GROUP BY 1, 2, 3 HAVING SUM(n) <> 0;
`;

const tableExists = (db: Database.Database, name: string) =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

export const m0007: Migration = {
  id: 7,
  name: 'report_summaries',
  up: (db) => {
    for (const p of ['attr_a_', 'attr_b_'])
      if (tableExists(db, `${p}sum_src`) && !tableExists(db, `${p}sum_src_w`))
        db.exec(blockSummarySql.replaceAll('$', p));
    db.exec(spendSql);
  },
};
