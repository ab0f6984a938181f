import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { ApiError } from '../../shared/contract/errors';
import type { AttributionModel, ReportEvent, ReportQuery } from '../../shared/contract/report';
import type { ConversationRow, TimelineItem } from '../../shared/contract/sources';
import { csvSafe } from '../../shared/table-csv';
import type { Db } from '../db/open';
import { externalEventOf, isCounting, MESSAGE_COLUMNS, type MessageRow, messagingEventOf } from './classify';
import { MICRO } from './engine';
import { adOfKey, detailsOfKeys } from './report/ad-platforms';
import { ReportContext, type ReportOptions } from './report/context';
import { modelTables } from './report/models';
import { ROLLUP_ID, sourceRows } from './report/sources';
import { activePrefix } from './tables';

// Conversation-level views: a source's conversations (drill-down), the leads export, one conversation's timeline.

interface Scope {
  phone: string;
  range: ReportQuery['range'];
  timezone?: string;
  event?: string;
  model?: AttributionModel;
}

interface ConvQueryRow {
  id: number;
  first_message_id: string;
  contact: string;
  phone: string;
  name: string | null;
  source_key: string;
  start_ts: number;
  event_ts: number | null;
}

function iso(ts: number, zone: string): string {
  return DateTime.fromSeconds(ts, { zone }).toISO({ suppressMilliseconds: true })!;
}

/** Conversations of the range (optionally one source, optionally only leads), newest first. */
function conversationsOf(
  db: Db,
  scope: Scope,
  opts: ReportOptions & { source?: string; leadsOnly: boolean; offset?: number; limit?: number },
): { ctx: ReportContext; event: ReportEvent | null; total: number; rows: ConversationRow[] } {
  const ctx = new ReportContext(db, scope.phone, scope.range, scope.timezone, {
    ...opts,
    model: scope.model,
  });
  const event = ctx.selectEvent(scope.event);
  const ev = event ? ctx.eventId(event.id) : null;
  const p = ctx.p;
  let sourceIds: number[] | null = null;
  if (opts.source === ROLLUP_ID) {
    const rollup = sourceRows(ctx, event).rows.find((r) => r.id === ROLLUP_ID);
    const keys = rollup?.children?.map((c) => c.id) ?? [];
    sourceIds = db
      .prepare(`SELECT id FROM ${p}sources WHERE key IN (SELECT value FROM json_each(?))`)
      .pluck()
      .all(JSON.stringify(keys)) as number[];
  } else if (opts.source !== undefined) {
    const id = db.prepare(`SELECT id FROM ${p}sources WHERE key = ?`).pluck().get(opts.source) as
      | number
      | undefined;
    sourceIds = id === undefined ? [] : [id];
  }
  const where = [
    ctx.phoneIn('c.phone'),
    'c.start_ts >= ?',
    'c.start_ts < ?',
    // The conversations the report's row counts: those whose source in the report's model is the row's.
    sourceIds ? `c.${modelTables(ctx.model).source} IN (SELECT value FROM json_each(?))` : '1',
    opts.leadsOnly ? 'ce.conv IS NOT NULL' : '1',
  ].join(' AND ');
  const args: unknown[] = [ev ?? -1, ctx.phoneArg, ctx.range.startTs, ctx.range.endTs];
  if (sourceIds) args.push(JSON.stringify(sourceIds));
  const from = `FROM ${p}conversations c LEFT JOIN ${p}conv_events ce ON ce.conv = c.id AND ce.event = ? WHERE ${where}`;
  const total = db
    .prepare(`SELECT COUNT(*) ${from}`)
    .pluck()
    .get(...args) as number;
  const rows = db
    .prepare(
      `SELECT c.id, c.first_message_id, c.contact, c.phone, k.name, s.key AS source_key, c.start_ts,
              CASE WHEN ce.conv IS NULL THEN NULL ELSE c.start_ts + COALESCE(ce.first_delay, 0) END AS event_ts
       ${from.replace('WHERE', `JOIN ${p}sources s ON s.id = c.source LEFT JOIN contacts k ON k.id = c.contact WHERE`)}
       ORDER BY c.start_ts DESC, c.first_message_id DESC LIMIT ? OFFSET ?`,
    )
    .all(...args, opts.limit ?? -1, opts.offset ?? 0) as ConvQueryRow[];
  const carries = ctx.carriesRevenue(event);
  const rev = db.prepare(
    `SELECT currency, SUM(amount) AS amount FROM ${p}occurrences WHERE conv = ? AND event = ? AND amount IS NOT NULL GROUP BY currency`,
  );
  const zone = ctx.range.timezone;
  return {
    ctx,
    event,
    total,
    rows: rows.map((r) => {
      let revenue: number | null = null;
      const revenueOther: Record<string, number> = {};
      if (carries && ev !== null) {
        revenue = 0;
        for (const x of rev.all(r.id, ev) as { currency: string; amount: number }[]) {
          if (x.currency === ctx.settings.currency) revenue = x.amount / MICRO;
          else revenueOther[x.currency] = x.amount / MICRO;
        }
      }
      return {
        id: r.first_message_id,
        contact: r.contact,
        name: r.name,
        sourceId: r.source_key,
        phone: r.phone,
        start: iso(r.start_ts, zone),
        converted: r.event_ts !== null,
        eventTime: r.event_ts === null ? null : iso(r.event_ts, zone),
        revenue,
        revenueOther,
      };
    }),
  };
}

export function sourceConversations(
  db: Db,
  args: Scope & { source: string; offset?: number; limit?: number },
  opts: ReportOptions = {},
): { total: number; rows: ConversationRow[] } {
  const { total, rows } = conversationsOf(db, args, {
    ...opts,
    source: args.source,
    leadsOnly: false,
    offset: args.offset,
    limit: args.limit ?? 100,
  });
  return { total, rows };
}

/**
 * A WhatsApp id as an E.164 number ("+" and 1–15 digits; https://www.itu.int/rec/T-REC-E.164, §6), else
 * empty (a business-scoped user id has no number). Digits only after the "+", so it can never be a formula.
 */
export function e164(contact: string): string {
  return /^\d{1,15}$/.test(contact) ? `+${contact}` : '';
}

export const CONTACTS_COLUMNS = [
  'phone',
  'name',
  'source_id',
  'source_name',
  'campaign',
  'ad_set',
  'ad',
  'conversation_start',
  'event',
  'event_time',
  'revenue',
  'currency',
  'contact_id',
] as const;

/**
 * Lead conversations (every conversation with `all`) for a CRM or a spreadsheet: one row per conversation
 * and revenue currency, so an amount never travels without its currency (docs/metrics.md "Command line").
 */
export function exportContacts(
  db: Db,
  args: Scope & { source?: string; all?: boolean },
  opts: ReportOptions = {},
): { csv: string; rows: number } {
  const { ctx, event, rows } = conversationsOf(db, args, {
    ...opts,
    source: args.source,
    leadsOnly: !args.all,
  });
  const names = new Map<string, string>();
  for (const s of sourceRows(ctx, event).rows) {
    names.set(s.id, s.name);
    for (const c of s.children ?? []) names.set(c.id, c.name);
  }
  const ads = detailsOfKeys(db, new Set(rows.map((r) => r.sourceId)), new Map());
  const body: string[][] = [];
  for (const r of rows) {
    const ad = adOfKey(r.sourceId)?.ad ?? null;
    const d = ads.get(r.sourceId);
    const base = [
      r.name ?? '',
      r.sourceId,
      names.get(r.sourceId) ?? r.sourceId,
      d?.campaignName ?? '',
      d?.adsetName ?? '',
      ad === null ? '' : (d?.adName ?? ad),
      r.start,
      r.converted && event ? event.label : '',
      r.eventTime ?? '',
    ].map(csvSafe);
    const amounts: [string, string][] = [];
    if (r.converted && r.revenue !== null) {
      if (r.revenue !== 0 || Object.keys(r.revenueOther).length === 0)
        amounts.push([String(r.revenue), ctx.settings.currency]);
      for (const [cur, amt] of Object.entries(r.revenueOther)) amounts.push([String(amt), cur]);
    }
    if (amounts.length === 0) amounts.push(['', '']);
    for (const [amount, currency] of amounts)
      body.push([e164(r.contact), ...base, amount, currency, csvSafe(r.contact)]);
  }
  // The phone column is quoted: importers that honour quotes (LibreOffice's "quoted field as text") keep the "+".
  const csv = `\uFEFF${stringify([[...CONTACTS_COLUMNS], ...body], {
    record_delimiter: '\r\n',
    quoted_match: /^\+\d+$/,
  })}`;
  return { csv, rows: body.length };
}

export function conversationTimeline(db: Db, id: string, zone: string) {
  const p = activePrefix(db);
  const c = db
    .prepare(
      `SELECT c.*, s.key AS source_key FROM ${p}conversations c JOIN ${p}sources s ON s.id = c.source WHERE c.first_message_id = ?`,
    )
    .get(id) as
    | { id: number; phone: string; contact: string; start_ts: number; source_key: string }
    | undefined;
  if (!c) throw new ApiError('not_found', `No conversation "${id}"`, 'id');
  const next = db
    .prepare(`SELECT MIN(start_ts) FROM ${p}conversations WHERE phone = ? AND contact = ? AND start_ts > ?`)
    .pluck()
    .get(c.phone, c.contact, c.start_ts) as number | null;
  const end = next ?? Number.MAX_SAFE_INTEGER;
  const msgs = db
    .prepare(
      `SELECT direction, ${MESSAGE_COLUMNS} FROM messages WHERE phone_number_id = ? AND contact_id = ? AND ts >= ? AND ts < ? ORDER BY ts, id`,
    )
    .all(c.phone, c.contact, c.start_ts, end) as (MessageRow & { direction: 'in' | 'out' })[];
  const statuses = db.prepare('SELECT status, ts FROM statuses WHERE message_id = ? ORDER BY ts');
  const template = db.prepare('SELECT template_name FROM outgoing_messages WHERE id = ?').pluck();
  const order: number[] = [];
  const items: TimelineItem[] = msgs.map((m) => ({
    kind: 'message' as const,
    id: m.id,
    direction: m.direction,
    ts: iso(m.ts, zone),
    type: m.type,
    text: m.text ?? m.button_text ?? m.interactive_title,
    counts: m.direction === 'in' && isCounting(m),
    eventId:
      m.direction === 'in' && isCounting(m)
        ? (messagingEventOf(m, (id) => (template.get(id) as string | null | undefined) ?? null)?.key ?? null)
        : null,
    referral: m.referral !== null || m.referral_source_id !== null,
    contextId: m.context_id,
    template: m.direction === 'out' ? ((template.get(m.id) as string | null | undefined) ?? null) : null,
    statuses: (statuses.all(m.id) as { status: string; ts: number }[]).map((s) => ({
      status: s.status,
      ts: iso(s.ts, zone),
    })),
  }));
  for (const m of msgs) order.push(m.ts);
  const ext = db
    .prepare(
      `SELECT e.id, e.ts, TRIM(e.action) AS action, e.revenue_amount, e.revenue_currency FROM ${p}external x
       JOIN external_events e ON e.id = x.event_id WHERE x.conv = ? ORDER BY e.ts, e.id`,
    )
    .all(c.id) as {
    id: string;
    ts: number;
    action: string;
    revenue_amount: number | null;
    revenue_currency: string | null;
  }[];
  for (const e of ext) {
    order.push(e.ts);
    items.push({
      kind: 'external',
      id: e.id,
      ts: iso(e.ts, zone),
      eventId: externalEventOf(e.action).key,
      revenue:
        e.revenue_amount === null
          ? null
          : { amount: e.revenue_amount, currency: (e.revenue_currency ?? 'USD').toUpperCase() },
    });
  }
  // Stable sort by unix time (ISO strings with changing DST offsets do not sort lexically).
  const sorted = items.map((item, i) => ({ item, ts: order[i]! })).sort((a, b) => a.ts - b.ts);
  const name = db.prepare('SELECT name FROM contacts WHERE id = ?').pluck().get(c.contact) as
    | string
    | null
    | undefined;
  return {
    id,
    phone: c.phone,
    contact: c.contact,
    name: name ?? null,
    sourceId: c.source_key,
    start: iso(c.start_ts, zone),
    items: sorted.map((x) => x.item),
  };
}
