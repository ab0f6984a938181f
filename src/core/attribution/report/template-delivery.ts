import type { ReportQuery } from '../../../shared/contract/report';
import type { TemplateDelivery, TemplateDeliveryResult } from '../../../shared/contract/sources';
import { shareOf } from '../../../shared/rates';
import { restOf, sourceKey } from '../../../shared/source-keys';
import type { Db } from '../../db/open';
import { DayKeyer, dateOfDay } from '../days';
import { ReportContext, type ReportOptions } from './context';
import { bucketsOf, todayDay } from './range';

// The delivery funnel of template campaigns (docs/metrics.md, "Template delivery"): the business's sends
// of a template (send proxy or send log: outgoing_messages) in the range, judged by the statuses stored
// for them whatever order they arrived in, and the conversations their replies started (the `tpl:` row).
// Status values and the `pricing` object: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/

/** Most frequent error codes listed per template. */
const TOP_ERRORS = 3;

/** Sends of one template, quarter hour (when a series is asked), pricing and failure that share figures. */
interface SendGroup {
  tpl: string;
  slot: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  errors: string | null;
  pricing: string | null;
}

/**
 * The sends of a template on the report's numbers in [startTs, endTs), each judged by one pass over its statuses
 * (primary key order), then counted in SQL per template, quarter hour (local days are whole quarter hours
 * in every zone), pricing and failure: a year of sends comes back as a few rows, not one per send.
 */
const SENDS_SQL = `
  WITH sends AS (
    SELECT id, tpl, ts FROM (
      -- The stored business message is read only for a send the log left without a time or number.
      SELECT o.id, o.template_name AS tpl,
        COALESCE(o.sent_at, (SELECT m.ts FROM messages m WHERE m.id = o.id)) AS ts,
        COALESCE(o.phone_number_id, (SELECT m.phone_number_id FROM messages m WHERE m.id = o.id)) AS phone
      FROM outgoing_messages o
      WHERE o.template_name IS NOT NULL AND (@tpl IS NULL OR o.template_name = @tpl))
    WHERE phone IN (SELECT value FROM json_each(@phones)) AND ts >= @start AND ts < @end),
  judged AS (
    SELECT d.tpl, d.ts,
      COALESCE(MAX(s.status IN ('delivered', 'read')), 0) AS delivered,
      COALESCE(MAX(s.status = 'read'), 0) AS read,
      COALESCE(MAX(s.status = 'failed'), 0) AS failed,
      MAX(CASE WHEN s.status = 'failed' THEN s.errors END) AS errors,
      MAX(s.pricing) AS pricing
    FROM sends d LEFT JOIN statuses s ON s.message_id = d.id
    GROUP BY d.id)
  SELECT tpl, CASE WHEN @series THEN ts / 900 ELSE 0 END AS slot, COUNT(*) AS sent, SUM(delivered) AS delivered,
    SUM(read) AS read, SUM(failed AND NOT delivered) AS failed,
    CASE WHEN failed AND NOT delivered THEN errors END AS errors, pricing
  FROM judged GROUP BY 1, 2, 7, 8`;

/** A stored JSON value, or null when it is not readable (a stored value never breaks a read). */
function json(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Whether a send is charged, and its category, from a status's `pricing`: per-message pricing names the
 * `type` (`regular` is charged; `free_customer_service`, `free_entry_point` are not); older payloads only
 * say `billable`.
 */
export function pricingOf(text: string | null): { billable: boolean; category: string | null } | null {
  const p = json(text);
  if (!p || typeof p !== 'object') return null;
  const { billable, type, category } = p as { billable?: unknown; type?: unknown; category?: unknown };
  return {
    billable: typeof type === 'string' ? type === 'regular' : billable === true,
    category: typeof category === 'string' && category ? category : null,
  };
}

/** The first error of a failed status: its code and title. */
function errorOf(text: string | null): { code: string; title: string | null } {
  const list = json(text);
  const e = Array.isArray(list) ? (list[0] as { code?: unknown; title?: unknown } | undefined) : undefined;
  const code = typeof e?.code === 'number' || typeof e?.code === 'string' ? String(e.code) : 'unknown';
  return { code, title: typeof e?.title === 'string' ? e.title : null };
}

interface Counts {
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  replied: number;
}

const zero = (): Counts => ({ sent: 0, delivered: 0, read: 0, failed: 0, replied: 0 });

/** Adds a group of sends (delivered once any delivered or read status arrived; failed only if never delivered). */
function addSends(c: Counts, g: SendGroup): void {
  c.sent += g.sent;
  c.delivered += g.delivered;
  c.read += g.read;
  c.failed += g.failed;
}

interface Acc extends Counts {
  billable: number;
  categories: Map<string, number>;
  errors: Map<string, { title: string | null; messages: number }>;
}

function finish(template: string, a: Acc): TemplateDelivery {
  return {
    sourceId: sourceKey('tpl', template),
    template,
    sent: a.sent,
    delivered: a.delivered,
    read: a.read,
    failed: a.failed,
    pending: a.sent - a.delivered - a.failed,
    replied: a.replied,
    deliveredRate: shareOf(a.delivered, a.sent),
    readRate: shareOf(a.read, a.sent),
    replyRate: shareOf(a.replied, a.sent),
    billable: a.billable,
    categories: Object.fromEntries([...a.categories].sort(([x], [y]) => (x < y ? -1 : 1))),
    errors: [...a.errors]
      .map(([code, e]) => ({ code, title: e.title, messages: e.messages }))
      .sort((x, y) => y.messages - x.messages || (x.code < y.code ? -1 : 1))
      .slice(0, TOP_ERRORS),
  };
}

/**
 * Delivery of every template with sends or reply conversations in the range (most sent first), or of
 * one `tpl:` source with its series per day, week or month (the trend's buckets).
 */
export function templateDelivery(
  db: Db,
  q: { phone: string; range: ReportQuery['range']; timezone?: string; source?: string },
  opts: ReportOptions = {},
): TemplateDeliveryResult {
  const ctx = new ReportContext(db, q.phone, q.range, q.timezone, opts);
  const r = ctx.range;
  const only = q.source === undefined ? null : restOf(q.source, 'tpl');
  const byTpl = new Map<string, Acc>();
  const accOf = (tpl: string) => {
    let a = byTpl.get(tpl);
    if (!a) {
      a = { ...zero(), billable: 0, categories: new Map(), errors: new Map() };
      byTpl.set(tpl, a);
    }
    return a;
  };
  const { granularity, buckets } = bucketsOf(r, todayDay(r.timezone, opts.now));
  const perBucket = buckets.map(zero);
  const keyer = new DayKeyer(r.timezone);
  // Bucket index of a local day: buckets are consecutive, so a search over their first days.
  const bucketOf = (ts: number) => {
    const day = keyer.dayOf(ts);
    let lo = 0;
    let hi = buckets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (buckets[mid]!.fromDay <= day) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const groups = ctx.q(SENDS_SQL).all({
    tpl: only,
    phones: JSON.stringify(ctx.phones),
    start: r.startTs,
    end: r.endTs,
    series: only === null ? 0 : 1,
  }) as SendGroup[];
  for (const g of groups) {
    const a = accOf(g.tpl);
    addSends(a, g);
    if (only !== null) addSends(perBucket[bucketOf(g.slot * 900)]!, g);
    const price = pricingOf(g.pricing);
    if (price?.billable) {
      a.billable += g.sent;
      if (price.category) a.categories.set(price.category, (a.categories.get(price.category) ?? 0) + g.sent);
    }
    if (g.failed > 0) {
      const e = errorOf(g.errors);
      const seen = a.errors.get(e.code);
      if (seen) seen.messages += g.failed;
      else a.errors.set(e.code, { title: e.title, messages: g.failed });
    }
  }
  // Replies: the conversations of the template's `tpl:` source that started in the range.
  const replies = ctx
    .q(
      `SELECT s.key, c.start_ts FROM ${ctx.p}conversations c JOIN ${ctx.p}sources s ON s.id = c.source
       WHERE c.phone IN (SELECT value FROM json_each(@phones)) AND c.start_ts >= @start AND c.start_ts < @end
         AND s.key >= 'tpl:' AND s.key < 'tpl;' AND (@key IS NULL OR s.key = @key)`,
    )
    .raw()
    .all({
      phones: JSON.stringify(ctx.phones),
      start: r.startTs,
      end: r.endTs,
      key: only === null ? null : sourceKey('tpl', only),
    }) as [string, number][];
  for (const [key, start] of replies) {
    accOf(restOf(key, 'tpl')!).replied++;
    if (only !== null) perBucket[bucketOf(start)]!.replied++;
  }
  if (only !== null) accOf(only);
  return {
    range: { from: r.from, to: r.to, timezone: r.timezone },
    templates: [...byTpl]
      .map(([tpl, a]) => finish(tpl, a))
      .sort((x, y) => y.sent - x.sent || y.replied - x.replied || (x.template < y.template ? -1 : 1)),
    granularity,
    series:
      only === null
        ? null
        : buckets.map((b, i) => ({
            bucket: b.bucket,
            to: dateOfDay(b.toDay),
            partial: b.partial,
            ...perBucket[i]!,
          })),
  };
}
