import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { workspaceOverview } from '../../../src/core/app/overview';
import { sourceConversations } from '../../../src/core/attribution/drilldown';
import { matchKeyword, normalizeText } from '../../../src/core/attribution/normalize';
import { rebuildDerived } from '../../../src/core/attribution/rebuild';
import { bucketsOf, previousRange, resolveRange } from '../../../src/core/attribution/report/range';
import { templateDelivery } from '../../../src/core/attribution/report/template-delivery';
import { importSpend } from '../../../src/core/attribution/spend-import';
import { activePrefix } from '../../../src/core/attribution/tables';
import { planWindow } from '../../../src/core/conversions/plan';
import { setMapping, writeCapiSettings } from '../../../src/core/conversions/settings';
import { setSetting } from '../../../src/core/db/settings';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { clickThroughRate, costPerConversationStarted, revenuePerLead } from '../../../src/shared/rates';
import { conversations, events, feed, makeDb, NOW, PHONE, PHONE2, report, TZ, t } from './feed';

// Every worked example of docs/metrics.md, by its number.

const addKeywords = (db: ReturnType<typeof makeDb>, ...kws: string[]) => {
  for (const k of kws) db.prepare('INSERT INTO attr_keywords (keyword, added_at) VALUES (?, 0)').run(k);
};
const source = (r: ReturnType<typeof report>, id: string) => r.sources.find((s) => s.id === id);
/** A first message from a Click-to-WhatsApp ad. */
const ad = (id: string, ts: string, contact: string) => ({
  id: `${contact}-${id}`,
  ts,
  text: 'x',
  referral: { source_id: id },
  contact,
});

describe('docs/metrics.md worked examples', () => {
  it('Ex 1: the display number selects the same business number', () => {
    const db = makeDb();
    feed(db, { messages: [{ id: 'm1', ts: '2026-03-02 10:00', text: 'hi' }] });
    const a = report(db, { phone: '+1 (555) 000-1111' });
    expect(a.phone.id).toBe(PHONE);
    expect(a).toEqual(report(db, { phone: PHONE }));
  });

  it('Ex 2: a reaction neither starts nor extends a conversation', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', text: 'hi' },
        { id: 'm2', ts: '2026-03-05 10:00', type: 'reaction' },
        { id: 'm3', ts: '2026-03-05 10:30', text: 'hello' },
      ],
    });
    expect(conversations(db).map((c) => [c.first, c.start])).toEqual([
      ['m1', t('2026-03-01 10:00')],
      ['m3', t('2026-03-05 10:30')],
    ]);
  });

  it('Ex 3: normalized text', () => {
    expect(normalizeText('  ＨＥＬＬＯ\n\n  World!!! 👋 ')).toBe('hello world');
    expect(normalizeText('¡¿!!')).toBeNull();
    expect(normalizeText('a'.repeat(151))).toBe('a'.repeat(100));
    expect(normalizeText(`${'a'.repeat(99)} !b`)).toBe('a'.repeat(99));
  });

  it('Ex 4: a gap of exactly W stays, W + 1 s starts a new conversation', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', text: 'hi' },
        { id: 'm2', ts: '2026-03-02 10:00', text: 'still there' },
        { id: 'm3', ts: '2026-03-03 10:00:01', text: 'again' },
      ],
    });
    expect(conversations(db).map((c) => c.first)).toEqual(['m1', 'm3']);
    expect(report(db).totals.conversations).toBe(2);
  });

  it('Ex 5: a referral mid-conversation starts a new conversation', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', text: 'Hi' },
        { id: 'm2', ts: '2026-03-01 10:05', text: 'saw the ad', referral: { source_id: '77' } },
      ],
    });
    expect(conversations(db).map((c) => c.source)).toEqual(['text:hi', 'ad:77']);
  });

  it('Ex 6: ad source names: headline, then the Meta name, then a rename', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        {
          id: 'm1',
          ts: '2026-03-01 10:00',
          text: 'x',
          referral: { source_id: '77', headline: 'Spring sale' },
        },
      ],
    });
    expect(source(report(db), 'ad:77')?.name).toBe('Spring sale');
    db.prepare(
      "INSERT INTO meta_ads (ad_id, name, adset_name, campaign_name) VALUES ('77', 'Video 1', 'DE', 'Brand')",
    ).run();
    expect(source(report(db), 'ad:77')?.name).toBe('Brand › DE › Video 1');
    db.prepare(
      "INSERT INTO attr_source_names (source_key, name, updated_at) VALUES ('ad:77', 'Spring video', 0)",
    ).run();
    expect(source(report(db), 'ad:77')?.name).toBe('Spring video');
  });

  it('Ex 7: reply to an unknown, then a known outgoing message', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        {
          id: 'm1',
          ts: '2026-03-01 10:00',
          button: { text: 'Yes', payload: 'YES_1' },
          contextId: 'wamid.out1',
        },
      ],
    });
    expect(conversations(db).map((c) => c.source)).toEqual(['reply:YES_1']);
    feed(db, { outgoing: [{ id: 'wamid.out1', template: 'spring_offer' }] });
    expect(conversations(db).map((c) => c.source)).toEqual(['tpl:spring_offer']);
    expect(source(report(db), 'tpl:spring_offer')).toMatchObject({
      kind: 'outgoing',
      name: 'spring_offer',
      conversations: 1,
    });
  });

  it('Ex 8: keyword precedence, longer keyword, keyword inside a longer word', () => {
    expect(matchKeyword('hi, promo code please', ['promo', 'promo code'])).toBe('promo code');
    expect(matchKeyword('hi promotion', ['promo'])).toBeNull();
    expect(matchKeyword('code promo', ['promo', 'code'])).toBe('code');
    const db = makeDb();
    addKeywords(db, 'promo', 'promo code');
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', text: 'Hi, PROMO CODE please', contact: 'c1' },
        { id: 'm2', ts: '2026-03-01 10:00', text: 'Hi promotion', contact: 'c2' },
      ],
    });
    expect(conversations(db).map((c) => c.source)).toEqual(['kw:promo code', 'text:hi promotion']);
  });

  it('Ex 9: first-message sources', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', type: 'image', contact: 'c1' },
        { id: 'm2', ts: '2026-03-01 10:00', text: 'Hello!', contact: 'c2' },
      ],
    });
    expect(conversations(db).map((c) => c.source)).toEqual(['type:image', 'text:hello']);
  });

  it('Ex 10: rollup threshold folds small first-message sources', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-01 10:00', text: 'Hello', contact: 'c1' },
        { id: 'b', ts: '2026-03-02 10:00', text: 'hello', contact: 'c2' },
        { id: 'c', ts: '2026-03-03 10:00', text: 'HELLO', contact: 'c3' },
        { id: 'd', ts: '2026-03-04 10:00', text: 'hi', contact: 'c4' },
        { id: 'e', ts: '2026-03-06 10:00', type: 'image', contact: 'c4' },
      ],
    });
    const r = report(db);
    expect(r.sources.map((s) => [s.id, s.conversations])).toEqual([
      ['text:hello', 3],
      ['text:*', 2],
    ]);
    const rollup = source(r, 'text:*')!;
    expect(rollup).toMatchObject({ kind: 'rollup', name: 'Other first messages', contacts: 1 });
    expect(rollup.children?.map((c) => c.id)).toEqual(['text:hi', 'type:image']);
  });

  it('Ex 11: a messaging event occurs at every matching message', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', button: { text: 'Book now' } },
        { id: 'm2', ts: '2026-03-01 10:10', button: { text: 'Book now' } },
        { id: 'm3', ts: '2026-03-01 10:20', text: 'yes' },
      ],
    });
    const ev = events(db).events;
    expect(ev.find((e) => e.id === 'button:Book now')).toMatchObject({ leads: 1, occurrences: 2 });
    expect(ev.find((e) => e.id === 'text:yes')).toMatchObject({ leads: 1, occurrences: 1 });
  });

  it('Ex 12: external attribution: most recent, app_id, unknown app_id, window edge', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', text: 'hi', phone: PHONE },
        { id: 'm2', ts: '2026-03-05 10:00', text: 'hi', phone: PHONE2 },
      ],
      events: [
        { id: 'e1', action: '  Purchase ', ts: '2026-03-06 10:00' },
        { id: 'e2', action: 'Purchase', ts: '2026-03-06 10:00', appId: '15550001111' },
        { id: 'e3', action: 'Purchase', ts: '2026-03-06 10:00', appId: '999' },
        { id: 'e4', action: 'Purchase', ts: t('2026-03-05 10:00') + 30 * 86_400 + 1, appId: PHONE2 },
        { id: 'e5', action: 'Purchase', ts: t('2026-03-05 10:00') + 30 * 86_400, appId: PHONE2 },
      ],
    });
    const conv = (e: string) =>
      db
        .prepare(
          'SELECT c.first_message_id FROM attr_a_external x LEFT JOIN attr_conversations c ON c.id = x.conv WHERE x.event_id = ?',
        )
        .pluck()
        .get(e);
    expect([conv('e1'), conv('e2'), conv('e3'), conv('e4'), conv('e5')]).toEqual([
      'm2',
      'm1',
      null,
      null,
      'm2',
    ]);
    expect(report(db, { event: 'ext:Purchase' }).event).toEqual({
      id: 'ext:Purchase',
      kind: 'external',
      label: 'Purchase',
    });
  });

  it('Ex 13: previous_external_event_id follows the earlier event, outside the window', () => {
    const db = makeDb();
    feed(db, {
      messages: [{ id: 'm1', ts: '2026-03-01 10:00', text: 'hi' }],
      events: [
        { id: 'e1', eventId: 'shop-1', action: 'Lead', ts: '2026-03-01 12:00' },
        { id: 'e2', action: 'Purchase', ts: '2026-04-20 12:00', previous: 'shop-1', amount: 9 },
      ],
    });
    const r = report(db, { event: 'ext:Purchase' });
    expect(r.totals).toMatchObject({ leads: 1, revenue: 9 });
  });

  it('Ex 14: an external event before any conversation is unattributed', () => {
    const db = makeDb();
    feed(db, {
      messages: [{ id: 'm1', ts: '2026-03-01 10:00', text: 'hi' }],
      events: [{ id: 'e1', action: 'Purchase', ts: '2026-02-28 10:00' }],
    });
    const r = report(db, { event: 'ext:Purchase', range: { from: '2026-02-01', to: '2026-03-31' } });
    expect(r.totals.leads).toBe(0);
    expect(r.unattributedExternalEvents).toBe(1);
  });

  it('Ex 15: presets, previous period, 6M from the 31st', () => {
    const mar31 = DateTime.fromISO('2026-03-31T12:00', { zone: TZ });
    const d7 = resolveRange({ preset: '7d' }, TZ, mar31);
    expect([d7.from, d7.to]).toEqual(['2026-03-25', '2026-03-31']);
    const prev = previousRange(d7);
    expect([prev.from, prev.to]).toEqual(['2026-03-18', '2026-03-24']);
    const d30 = resolveRange({ preset: '30d' }, TZ, mar31);
    expect([d30.from, d30.to]).toEqual(['2026-03-02', '2026-03-31']);
    const aug31 = DateTime.fromISO('2026-08-31T12:00', { zone: TZ });
    const m6 = resolveRange({ preset: '6m' }, TZ, aug31);
    expect([m6.from, m6.to]).toEqual(['2026-03-01', '2026-08-31']);
    const m12 = resolveRange({ preset: '12m' }, TZ, aug31);
    expect([m12.from, m12.to]).toEqual(['2025-09-01', '2026-08-31']);
  });

  it('Ex 33: This month, Last month, This year and their previous periods (partial periods too)', () => {
    const at = (iso: string) => DateTime.fromISO(`${iso}T12:00`, { zone: TZ });
    const span = (preset: 'this-month' | 'last-month' | 'this-year', now: DateTime) => {
      const r = resolveRange({ preset }, TZ, now);
      const p = previousRange(r);
      return [r.from, r.to, p.from, p.to];
    };
    const mar31 = at('2026-03-31');
    expect(span('this-month', mar31)).toEqual(['2026-03-01', '2026-03-31', '2026-02-01', '2026-02-28']);
    expect(span('last-month', mar31)).toEqual(['2026-02-01', '2026-02-28', '2026-01-01', '2026-01-31']);
    expect(span('this-year', mar31)).toEqual(['2026-01-01', '2026-03-31', '2025-01-01', '2025-03-31']);
    const mar15 = at('2026-03-15');
    expect(span('this-month', mar15)).toEqual(['2026-03-01', '2026-03-15', '2026-02-01', '2026-02-15']);
    expect(span('last-month', mar15).slice(0, 2)).toEqual(['2026-02-01', '2026-02-28']);
    const month = resolveRange({ preset: 'this-month' }, TZ, mar15);
    const days = bucketsOf(month, month.toDay);
    expect(days.buckets).toHaveLength(15);
    expect(days.buckets.filter((b) => b.partial).map((b) => b.bucket)).toEqual(['2026-03-15']);
    const jan1 = at('2027-01-01');
    expect(span('this-month', jan1).slice(0, 2)).toEqual(['2027-01-01', '2027-01-01']);
    expect(span('last-month', jan1).slice(0, 2)).toEqual(['2026-12-01', '2026-12-31']);
  });

  it('Ex 16: range edges in the report timezone and a DST change', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-31 23:30', text: 'x', contact: 'c1' },
        { id: 'b', ts: '2026-04-01 00:30', text: 'x', contact: 'c2' },
        { id: 'c', ts: '2026-03-29 23:30', text: 'x', contact: 'c3' },
        { id: 'd', ts: '2026-03-30 00:30', text: 'x', contact: 'c4' },
      ],
    });
    const day = (d: string, tz?: string) =>
      report(db, { range: { from: d, to: d }, timezone: tz }).totals.conversations;
    expect(day('2026-03-31')).toBe(1);
    expect(day('2026-04-01')).toBe(1);
    expect(day('2026-03-31', 'UTC')).toBe(2);
    expect(day('2026-04-01', 'UTC')).toBe(0);
    expect(day('2026-03-29')).toBe(1);
    expect(day('2026-03-30')).toBe(1);
    const r = resolveRange({ from: '2026-03-29', to: '2026-03-29' }, TZ);
    expect(r.endTs - r.startTs).toBe(23 * 3600);
  });

  it('Ex 17: conversations, contacts, leads (also after the range end), conversion rate', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-01 10:00', text: 'x', contact: 'c1' },
        { id: 'b', ts: '2026-03-10 10:00', text: 'x', contact: 'c1' },
        { id: 'c', ts: '2026-03-10 10:00', text: 'x', contact: 'c2' },
        { id: 'd', ts: '2026-03-31 23:00', text: 'x', contact: 'c3' },
        { id: 'a2', ts: '2026-03-01 10:01', text: 'yes', contact: 'c1' },
        { id: 'd2', ts: '2026-04-01 10:00', text: 'yes', contact: 'c3' },
      ],
    });
    const r = report(db, { event: 'text:yes' });
    expect(r.totals).toMatchObject({
      conversations: 4,
      contacts: 3,
      leads: 2,
      conversionRate: 0.5,
      revenue: null,
    });
  });

  it('Ex 18: Meta spend, a manual entry overriding some days, cost per lead', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c1' },
        { id: 'a2', ts: '2026-03-02 10:01', text: 'yes', contact: 'c1' },
        { id: 'b', ts: '2026-03-03 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c2' },
        { id: 'b2', ts: '2026-03-03 10:01', text: 'yes', contact: 'c2' },
      ],
    });
    const spend = db.prepare(
      "INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, synced_at) VALUES ('act_1', '77', ?, 10, 'USD', 0)",
    );
    for (let d = 1; d <= 10; d++) spend.run(`2026-03-${String(d).padStart(2, '0')}`);
    db.prepare(
      "INSERT INTO meta_ads (ad_id, name, adset_name, campaign_name) VALUES ('77', 'Video 1', 'DE', 'Brand')",
    ).run();
    const row = (from = '2026-03-01', to = '2026-03-31') =>
      source(report(db, { event: 'text:yes', range: { from, to } }), 'ad:77')!;
    expect(row()).toMatchObject({ invested: 100, investedFrom: 'meta', leads: 2, costPerLead: 50 });
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('ad:77', 70, 'USD', '2026-03-06', '2026-03-12', 0)",
    ).run();
    expect(row()).toMatchObject({ invested: 120, investedFrom: 'mixed', costPerLead: 60 });
    expect(row('2026-03-01', '2026-03-03')).toMatchObject({ invested: 30, investedFrom: 'meta' });
    expect(source(report(db), 'text:*')).toBeUndefined();
  });

  it('Ex 19: overlapping manual entries: the newer wins per day, never added', () => {
    const db = makeDb();
    addKeywords(db, 'promo');
    feed(db, { messages: [{ id: 'a', ts: '2026-03-02 10:00', text: 'promo' }] });
    const ins = db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('kw:promo', ?, 'USD', ?, ?, 0)",
    );
    ins.run(100, '2026-03-01', '2026-03-10');
    ins.run(40, '2026-03-06', '2026-03-09');
    expect(source(report(db), 'kw:promo')?.invested).toBeCloseTo(100, 9);
    expect(
      source(report(db, { range: { from: '2026-03-01', to: '2026-03-05' } }), 'kw:promo')?.invested,
    ).toBeCloseTo(50, 9);
  });

  it('Ex 20: revenue in the workspace currency, other currencies apart, ROAS', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c1' },
        { id: 'b', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c2' },
      ],
      events: [
        { id: 'e1', action: 'Purchase', ts: '2026-03-03 10:00', contact: 'c1', amount: 10, currency: 'USD' },
        { id: 'e2', action: 'Purchase', ts: '2026-03-03 11:00', contact: 'c1', amount: 5, currency: 'EUR' },
        { id: 'e3', action: 'Purchase', ts: '2026-03-03 10:00', contact: 'c2', amount: 2.5 },
      ],
    });
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('ad:77', 50, 'USD', '2026-03-01', '2026-03-31', 0)",
    ).run();
    const r = report(db, { event: 'ext:Purchase' });
    expect(source(r, 'ad:77')).toMatchObject({
      leads: 2,
      revenue: 12.5,
      revenueOther: { EUR: 5 },
      invested: 50,
      roas: 0.25,
    });
    expect(r.totals).toMatchObject({ revenue: 12.5, revenueOther: { EUR: 5 }, roas: 0.25, currency: 'USD' });
  });

  it('Ex 21: totals sum the sources, except distinct contacts', () => {
    const db = makeDb({ rollupThreshold: 1 });
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c1' },
        { id: 'b', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c2' },
        { id: 'c', ts: '2026-03-05 10:00', text: 'Hello', contact: 'c1' },
        { id: 'd', ts: '2026-03-05 10:00', text: 'Hello', contact: 'c3' },
        { id: 'e', ts: '2026-03-09 10:00', text: 'Hello', contact: 'c3' },
      ],
    });
    const r = report(db);
    expect(r.sources.map((s) => [s.id, s.conversations, s.contacts])).toEqual([
      ['text:hello', 3, 2],
      ['ad:77', 2, 2],
    ]);
    expect(r.totals).toMatchObject({ conversations: 5, contacts: 3 });
  });

  it('Ex 22: unattributed external events of this number', () => {
    const db = makeDb();
    feed(db, {
      messages: [{ id: 'a', ts: '2026-03-02 10:00', button: { text: 'Book now' } }],
      events: [
        { id: 'e1', action: 'Purchase', ts: '2026-03-03 10:00', contact: 'stranger' },
        { id: 'e2', action: 'Purchase', ts: '2026-03-03 10:00', contact: 'stranger', appId: PHONE2 },
        { id: 'e3', action: 'Purchase', ts: '2026-03-03 10:00', contact: 'stranger', appId: PHONE },
        { id: 'e4', action: 'Refund', ts: '2026-03-03 10:00', contact: 'stranger' },
      ],
    });
    expect(report(db, { event: 'ext:Purchase' }).unattributedExternalEvents).toBe(2);
    expect(report(db, { event: 'button:Book now' }).unattributedExternalEvents).toBe(3);
  });

  it('Ex 23: funnel steps, strict repeat of the same event, medians', () => {
    const db = makeDb();
    const s = t('2026-03-02 10:00');
    feed(db, {
      messages: [
        { id: 'A', ts: s, text: 'hi', contact: 'A' },
        { id: 'A1', ts: s + 60, button: { text: 'Book now' }, contact: 'A' },
        { id: 'B', ts: s, text: 'hi', contact: 'B' },
        { id: 'B1', ts: s + 200, button: { text: 'Book now' }, contact: 'B' },
        { id: 'C', ts: s, text: 'hi', contact: 'C' },
        { id: 'C1', ts: s + 10, text: 'yes', contact: 'C' },
        { id: 'C2', ts: s + 20, text: 'yes', contact: 'C' },
        { id: 'A2', ts: s + 30, text: 'yes', contact: 'A' },
      ],
      events: [
        { id: 'pA', action: 'Purchase', ts: s + 600, contact: 'A' },
        { id: 'pB', action: 'Purchase', ts: s + 100, contact: 'B' },
      ],
    });
    const f = report(db, { funnel: ['button:Book now', 'ext:Purchase'] }).funnel;
    expect(f.map((x) => [x.eventId, x.conversations, x.medianSecondsFromStart])).toEqual([
      [null, 3, 0],
      ['button:Book now', 2, 130],
      ['ext:Purchase', 1, 600],
    ]);
    expect(f[1]!.rateFromStart).toBeCloseTo(2 / 3);
    expect(f[2]).toMatchObject({ rateFromStart: 1 / 3, rateFromPrevious: 0.5 });
    const yes = report(db, { funnel: ['text:yes', 'text:yes'] }).funnel;
    expect(yes.map((x) => x.conversations)).toEqual([3, 2, 1]);
    expect(yes[2]!.medianSecondsFromStart).toBe(20);
  });

  it('Ex 24: series buckets by day, ISO week and month', () => {
    const r = (from: string, to: string) => bucketsOf(resolveRange({ from, to }, TZ));
    expect(r('2026-03-01', '2026-03-31').buckets).toHaveLength(31);
    const w = r('2026-03-04', '2026-05-31');
    expect(w.granularity).toBe('week');
    expect(w.buckets.slice(0, 3).map((b) => b.bucket)).toEqual(['2026-03-04', '2026-03-09', '2026-03-16']);
    const m = r('2026-01-15', '2026-12-31');
    expect(m.granularity).toBe('month');
    expect(m.buckets.slice(0, 2).map((b) => b.bucket)).toEqual(['2026-01-15', '2026-02-01']);
    expect(m.buckets).toHaveLength(12);
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'x', contact: 'c1' },
        { id: 'a2', ts: '2026-03-02 10:01', text: 'yes', contact: 'c1' },
        { id: 'b', ts: '2026-03-10 10:00', text: 'x', contact: 'c2' },
      ],
    });
    const series = report(db, { event: 'text:yes', range: { from: '2026-03-01', to: '2026-05-31' } }).series;
    // 1 Mar is the Sunday of a week that began in February: a partial bucket of one day.
    expect(series[0]).toEqual({
      bucket: '2026-03-01',
      to: '2026-03-01',
      partial: true,
      conversations: 0,
      leads: 0,
    });
    expect(series[1]).toEqual({
      bucket: '2026-03-02',
      to: '2026-03-08',
      partial: false,
      conversations: 1,
      leads: 1,
    });
    expect(series[2]).toEqual({
      bucket: '2026-03-09',
      to: '2026-03-15',
      partial: false,
      conversations: 1,
      leads: 0,
    });
    // Today is 31 Mar (a Tuesday): its week (30 Mar – 5 Apr) and every later one are not over.
    expect(series.filter((p) => p.partial).map((p) => p.bucket)[1]).toBe('2026-03-30');
    expect(series.find((p) => p.bucket === '2026-03-23')?.partial).toBe(false);
    // 12 months to 31 Mar: the current month is partial, and so is a first month the range cuts.
    const months = report(db, { range: { from: '2025-04-15', to: '2026-03-31' } }).series;
    expect(months.map((p) => [p.bucket, p.to, p.partial]).filter((x) => x[2])).toEqual([
      ['2025-04-15', '2025-04-30', true],
      ['2026-03-01', '2026-03-31', true],
    ]);
    // A day bucket is partial only while it is today.
    const days = report(db).series;
    expect(days.filter((p) => p.partial).map((p) => p.bucket)).toEqual(['2026-03-31']);
  });

  it('Ex 25: available events in suggested order and the suggested event', () => {
    const db = makeDb();
    const msgs = [];
    for (let i = 0; i < 5; i++)
      msgs.push({ id: `y${i}`, ts: `2026-03-0${i + 1} 10:00`, text: 'yes', contact: `y${i}` });
    for (let i = 0; i < 2; i++)
      msgs.push({
        id: `b${i}`,
        ts: `2026-03-0${i + 1} 10:00`,
        button: { text: 'Book now' },
        contact: `b${i}`,
      });
    for (let i = 0; i < 3; i++) {
      msgs.push({
        id: `l${i}`,
        ts: `2026-03-0${i + 1} 10:00`,
        interactive: { type: 'list_reply' as const, id: 'row', title: 'Premium' },
        contact: `l${i}`,
      });
    }
    feed(db, {
      messages: msgs,
      events: [{ id: 'r', action: 'Refund', ts: '2026-03-05 10:00', contact: 'nobody' }],
    });
    const list = events(db);
    expect(list.suggested).toBe('button:Book now');
    expect(list.events.map((e) => [e.id, e.leads])).toEqual([
      ['ext:Refund', 0],
      ['button:Book now', 2],
      ['list:Premium', 3],
      ['text:yes', 5],
    ]);
    expect(report(db).event?.id).toBe('button:Book now');
  });

  it('Ex 29: an empty message with errors, an edit and a group message do not count', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', type: 'interactive', hasErrors: true },
        { id: 'm2', ts: '2026-03-01 10:05', text: 'hi' },
        { id: 'm3', ts: '2026-03-02 10:00', type: 'edit', text: 'hi, promo' },
        { id: 'm4', ts: '2026-03-02 10:01', text: 'hello all', groupId: 'G1' },
        { id: 'm5', ts: '2026-03-02 10:30', text: 'hello' },
      ],
    });
    // m2 starts the first conversation; m3 (edit) and m4 (group) neither extend it nor start one.
    expect(conversations(db).map((c) => [c.first, c.source])).toEqual([
      ['m2', 'text:hi'],
      ['m5', 'text:hello'],
    ]);
  });

  it('Ex 30: a Flow completion: flow: source and event, named after its template once known', () => {
    const db = makeDb();
    const flow = { type: 'nfm_reply' as const, id: 'flow', title: 'Sent' };
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-01 10:00', interactive: flow, contextId: 'wamid.f1' },
        { id: 'm2', ts: '2026-03-02 10:00', text: 'hi', contact: 'c2' },
        { id: 'm3', ts: '2026-03-02 10:10', button: { text: 'Book now' }, contact: 'c2' },
      ],
    });
    expect(conversations(db).map((c) => c.source)).toEqual(['flow:flow', 'text:hi']);
    expect(events(db).events.map((e) => [e.id, e.kind, e.leads])).toEqual([
      ['flow:flow', 'flow', 1],
      ['button:Book now', 'button', 1],
      ['text:hi', 'text', 1],
    ]);
    // A completed form comes before button replies in the suggested order.
    expect(events(db).suggested).toBe('flow:flow');
    feed(db, { outgoing: [{ id: 'wamid.f1', template: 'lead_form' }] });
    expect(conversations(db).map((c) => c.source)).toEqual(['flow:lead_form', 'text:hi']);
    const r = report(db, { event: 'flow:lead_form' });
    expect(r.event).toEqual({ id: 'flow:lead_form', kind: 'flow', label: 'lead_form' });
    expect(source(r, 'flow:lead_form')).toMatchObject({ kind: 'outgoing', name: 'lead_form', leads: 1 });
    expect(r.totals).toMatchObject({ conversations: 2, leads: 1 });
  });

  it('Ex 31: a BSUID stays a bsuid: contact; a number change moves the contact', () => {
    const db = makeDb();
    const at = (s: string) => String(t(s));
    const value = (v: Record<string, unknown>) => ({
      object: 'whatsapp_business_account',
      entry: [
        { id: 'w', changes: [{ field: 'messages', value: { metadata: { phone_number_id: PHONE }, ...v } }] },
      ],
    });
    const text = (id: string, from: string, ts: string) => ({
      from,
      id,
      timestamp: at(ts),
      type: 'text',
      text: { body: 'hi' },
    });
    ingestPayloads(db, [
      { body: value({ messages: [text('m1', 'US.1234', '2026-03-01 10:00')] }), origin: 'webhook' },
      { body: value({ messages: [text('m2', '4915100000001', '2026-03-02 10:00')] }), origin: 'webhook' },
      {
        body: value({
          messages: [
            {
              from: '4915100000001',
              id: 's1',
              timestamp: at('2026-03-02 11:00'),
              type: 'system',
              system: { type: 'user_changed_number', wa_id: '4915100000002', body: 'changed' },
            },
          ],
        }),
        origin: 'webhook',
      },
      { body: value({ messages: [text('m3', '4915100000002', '2026-03-02 12:00')] }), origin: 'webhook' },
    ]);
    expect(conversations(db).map((c) => [c.first, c.contact])).toEqual([
      ['m2', '4915100000002'],
      ['m1', 'bsuid:US.1234'],
    ]);
    expect(report(db).totals).toMatchObject({ conversations: 2, contacts: 2 });
  });

  it("Ex 26: the previous period before the number's first conversation", () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-10 10:00', text: 'x', contact: 'c1' },
        { id: 'b', ts: '2026-03-20 10:00', text: 'x', contact: 'c2' },
        { id: 'c', ts: '2026-03-26 10:00', text: 'x', contact: 'c3' },
      ],
    });
    const prev = (preset: '7d' | '14d' | '30d') => report(db, { range: { preset } }).previous;
    expect(prev('7d')).toMatchObject({
      range: { from: '2026-03-18', to: '2026-03-24' },
      comparison: 'full',
      conversations: 1,
      dataFrom: '2026-03-10',
    });
    expect(prev('14d')).toMatchObject({
      range: { from: '2026-03-04', to: '2026-03-17' },
      comparison: 'partial',
      dataFrom: '2026-03-10',
    });
    expect(prev('30d')).toMatchObject({
      range: { from: '2026-01-31', to: '2026-03-01' },
      comparison: 'none',
    });
    // A number without conversations has nothing to compare.
    expect(report(db, { phone: PHONE2 }).previous.comparison).toBe('none');
  });

  it('Ex 34: compare with the same dates a year back, the previous period, or nothing', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2025-02-28 10:00', text: 'x', contact: 'c1' },
        { id: 'b', ts: '2025-03-12 10:00', text: 'x', contact: 'c2' },
        { id: 'c', ts: '2026-03-20 10:00', text: 'x', contact: 'c3' },
      ],
    });
    expect(report(db, { compare: 'year' }).previous).toMatchObject({
      range: { from: '2025-03-01', to: '2025-03-31' },
      conversations: 1,
      comparison: 'full',
      compare: 'year',
    });
    expect(report(db, { compare: 'previous' }).previous).toMatchObject({
      range: { from: '2026-01-29', to: '2026-02-28' },
      conversations: 0,
      comparison: 'full',
    });
    expect(report(db).previous.range).toEqual(report(db, { compare: 'previous' }).previous.range);
    expect(report(db, { compare: 'none' }).previous).toMatchObject({
      conversations: 0,
      invested: null,
      comparison: 'none',
      compare: 'none',
    });
    expect(
      report(db, { compare: 'year', range: { from: '2026-02-20', to: '2026-03-31' } }).previous,
    ).toMatchObject({
      range: { from: '2025-02-20', to: '2025-03-31' },
      comparison: 'partial',
      dataFrom: '2025-02-28',
    });
    const leap = previousRange(resolveRange({ from: '2028-02-29', to: '2028-02-29' }, TZ), 'year');
    expect([leap.from, leap.to]).toEqual(['2027-02-28', '2027-02-28']);
  });

  it('Ex 35: the agency overview sums the numbers, counts a shared source once, keeps currencies apart', () => {
    const db = makeDb();
    addKeywords(db, 'promo');
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c1' },
        { id: 'b', ts: '2026-03-03 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c2' },
        {
          id: 'c',
          ts: '2026-03-04 10:00',
          text: 'x',
          referral: { source_id: '77' },
          contact: 'c3',
          phone: PHONE2,
        },
        { id: 'd', ts: '2026-03-05 10:00', text: 'promo', contact: 'c4', phone: PHONE2 },
      ],
      events: [
        { id: 'e1', action: 'Purchase', ts: '2026-03-02 11:00', contact: 'c1', amount: 30 },
        { id: 'e2', action: 'Purchase', ts: '2026-03-05 11:00', contact: 'c4', amount: 10, currency: 'EUR' },
      ],
    });
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('ad:77', 60, 'USD', '2026-03-01', '2026-03-31', 0)",
    ).run();
    const range = { from: '2026-03-01', to: '2026-03-31' };
    const o = workspaceOverview(db, { range }, { now: NOW });
    expect(o.numbers).toBe(2);
    expect(o.figures).toEqual({
      conversations: 4,
      leads: 2,
      conversionRate: 0.5,
      money: [
        { currency: 'USD', invested: 60, costPerLead: 30, revenue: 30, roas: 0.5 },
        { currency: 'EUR', invested: null, costPerLead: null, revenue: 10, roas: null },
      ],
    });
    // Adding up the numbers' reports would pay for ad 77 twice.
    const perNumber = [PHONE, PHONE2].map((phone) => report(db, { phone, range }).totals.invested);
    expect(perNumber).toEqual([60, 60]);
    expect(o.previous).toMatchObject({ conversations: 0, comparison: 'none' });
    expect(o.lastDataAt).not.toBeNull();
  });

  it('Ex 36: CTR, conversations started and their cost, revenue per lead', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        ad('77', '2026-03-02 10:00', 'c1'),
        ad('77', '2026-03-03 10:00', 'c2'),
        ad('77', '2026-03-04 10:00', 'c3'),
        ad('88', '2026-03-05 10:00', 'c4'),
      ],
      events: [
        { id: 'e1', action: 'Purchase', ts: '2026-03-02 11:00', contact: 'c1', amount: 15 },
        { id: 'e2', action: 'Purchase', ts: '2026-03-03 11:00', contact: 'c2', amount: 15 },
      ],
    });
    const spend = db.prepare(
      `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at)
       VALUES ('act_1', '77', ?, 10, 'USD', 1000, 20, 4, 0)`,
    );
    for (let d = 1; d <= 10; d++) spend.run(`2026-03-${String(d).padStart(2, '0')}`);
    db.prepare(
      "INSERT INTO meta_ads (ad_id, name, adset_name, campaign_name) VALUES ('77', 'Video 1', 'DE', 'Brand')",
    ).run();
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('ad:88', 50, 'USD', '2026-03-01', '2026-03-31', 0)",
    ).run();
    const r = report(db, { event: 'ext:Purchase' });
    const a77 = source(r, 'ad:77')!;
    expect(a77).toMatchObject({ invested: 100, leads: 2, revenue: 30 });
    expect(a77.meta).toMatchObject({ impressions: 10_000, clicks: 200, metaConversationsStarted: 40 });
    expect(clickThroughRate(a77.meta!.clicks, a77.meta!.impressions)).toBe(0.02);
    expect(costPerConversationStarted(a77.invested, a77.meta!.metaConversationsStarted)).toBe(2.5);
    expect(revenuePerLead(a77.revenue, a77.leads)).toBe(15);
    const a88 = source(r, 'ad:88')!;
    expect(a88.meta?.metaConversationsStarted ?? null).toBeNull();
    expect(costPerConversationStarted(a88.invested, a88.meta?.metaConversationsStarted ?? null)).toBeNull();
    expect(r.totals).toMatchObject({
      metaConversationsStarted: 40,
      costPerConversationStarted: 2.5,
      invested: 150,
      costPerLead: 75,
    });
  });

  it("an ad whose names are not synced yet still shows Meta's delivery, and its conversations started count in the totals", () => {
    const db = makeDb();
    feed(db, { messages: [ad('77', '2026-03-02 10:00', 'c1'), ad('99', '2026-03-03 10:00', 'c2')] });
    const spend = db.prepare(
      `INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, impressions, clicks, messaging_started, synced_at)
       VALUES ('act_1', ?, '2026-03-02', ?, 'USD', 1000, 20, 4, 0)`,
    );
    spend.run('77', 10);
    spend.run('99', 30);
    db.prepare(
      "INSERT INTO meta_ads (ad_id, name, adset_name, campaign_name) VALUES ('77', 'Video 1', 'DE', 'Brand')",
    ).run();
    const r = report(db);
    expect(source(r, 'ad:99')).toMatchObject({
      name: 'ad:99',
      invested: 30,
      meta: {
        campaignName: null,
        adsetName: null,
        impressions: 1000,
        clicks: 20,
        metaConversationsStarted: 4,
      },
    });
    expect(r.totals).toMatchObject({ metaConversationsStarted: 8, costPerConversationStarted: 5 });
  });

  it('Ex 27: an event without revenue has no Revenue and no ROAS', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c1' },
        { id: 'b', ts: '2026-03-02 10:00', text: 'hello', contact: 'c2' },
        { id: 'c', ts: '2026-03-03 10:00', text: 'hello', contact: 'c3' },
      ],
      events: [
        { id: 'e1', action: 'Signup', ts: '2026-03-02 11:00', contact: 'c1' },
        { id: 'e2', action: 'Purchase', ts: '2026-03-02 11:00', contact: 'c1', amount: 40 },
        { id: 'e3', action: 'Purchase', ts: '2026-03-02 11:00', contact: 'c2' },
      ],
    });
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('ad:77', 20, 'USD', '2026-03-01', '2026-03-31', 0)",
    ).run();
    const signup = report(db, { event: 'ext:Signup' });
    expect(source(signup, 'ad:77')).toMatchObject({ leads: 1, invested: 20, revenue: null, roas: null });
    expect(signup.totals).toMatchObject({ revenue: null, roas: null });
    const purchase = report(db, { event: 'ext:Purchase' });
    expect(source(purchase, 'ad:77')).toMatchObject({ revenue: 40, roas: 2 });
    // The event carries revenue: a lead without an amount counts 0, not "—".
    expect(source(purchase, 'text:hello')).toMatchObject({ leads: 1, revenue: 0, roas: null });
  });

  it('Ex 28: conversion cost and ROAS over paid sources only', () => {
    const db = makeDb();
    addKeywords(db, 'promo');
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c1' },
        { id: 'b', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c2' },
        { id: 'c', ts: '2026-03-03 10:00', text: 'promo', contact: 'c3' },
        { id: 'd', ts: '2026-03-03 10:00', text: 'promo', contact: 'c4' },
        { id: 'e', ts: '2026-03-03 10:00', text: 'promo', contact: 'c5' },
      ],
      events: [
        { id: 'p1', action: 'Purchase', ts: '2026-03-04 10:00', contact: 'c1', amount: 30 },
        { id: 'p3', action: 'Purchase', ts: '2026-03-04 10:00', contact: 'c3', amount: 10 },
        { id: 'p4', action: 'Purchase', ts: '2026-03-04 10:00', contact: 'c4', amount: 10 },
      ],
    });
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('ad:77', 50, 'USD', '2026-03-01', '2026-03-31', 0)",
    ).run();
    const r = report(db, { event: 'ext:Purchase' });
    expect(r.totals).toMatchObject({ leads: 3, invested: 50, revenue: 50, roas: 1 });
    expect(r.totals.costPerLead).toBeCloseTo(50 / 3, 9);
    expect(r.paid).toEqual({
      sources: 1,
      conversations: 2,
      leads: 1,
      invested: 50,
      costPerLead: 50,
      revenue: 30,
      revenueOther: {},
      roas: 0.6,
    });
    // No source with an Invested amount: nothing to divide.
    db.prepare('DELETE FROM attr_investments').run();
    expect(report(db, { event: 'ext:Purchase' }).paid).toMatchObject({
      sources: 0,
      leads: 0,
      invested: null,
      costPerLead: null,
      roas: null,
    });
  });

  it('Ex 32: conversions sent to Meta are the leads of ad conversations with a click id', () => {
    const db = makeDb();
    db.prepare("UPDATE business_numbers SET waba_id = '102290129340398'").run();
    addKeywords(db, 'promo');
    const ad = (clid?: string) => ({
      source_type: 'ad',
      source_id: '77',
      ...(clid ? { ctwa_clid: clid } : {}),
    });
    feed(db, {
      messages: [
        { id: 'old', ts: '2026-03-20 10:00', text: 'hi', referral: ad('Z'), contact: 'c0' },
        { id: 'old2', ts: '2026-03-20 10:01', button: { text: 'Book now' }, contact: 'c0' },
        { id: 'c1', ts: '2026-03-30 10:00', text: 'hi', referral: ad('A'), contact: 'c1' },
        { id: 'c1b', ts: '2026-03-30 10:01', button: { text: 'Book now' }, contact: 'c1' },
        { id: 'c1c', ts: '2026-03-30 10:05', button: { text: 'Book now' }, contact: 'c1' },
        { id: 'c2', ts: '2026-03-30 11:00', text: 'hi', referral: ad('B'), contact: 'c2' },
        { id: 'c2b', ts: '2026-03-30 11:01', button: { text: 'Book now' }, contact: 'c2' },
        { id: 'c3', ts: '2026-03-30 13:00', text: 'hi', referral: ad(), contact: 'c3' },
        { id: 'c3b', ts: '2026-03-30 13:01', button: { text: 'Book now' }, contact: 'c3' },
        { id: 'c4', ts: '2026-03-30 14:00', text: 'promo', contact: 'c4' },
        { id: 'c4b', ts: '2026-03-30 14:01', button: { text: 'Book now' }, contact: 'c4' },
      ],
      events: [
        {
          id: 'p1',
          action: 'Purchase',
          ts: '2026-03-30 12:00',
          contact: 'c2',
          amount: 49.9,
          currency: 'EUR',
        },
      ],
    });
    const nowS = NOW.toSeconds();
    setMapping(db, { eventKey: 'button:Book now', metaEvent: 'LeadSubmitted', withValue: false });
    setMapping(db, { eventKey: 'ext:Purchase', metaEvent: 'Purchase', withValue: true });
    writeCapiSettings(db, { enabled: true }, nowS);
    planWindow(db, nowS);
    const r = report(db, { range: { from: '2026-03-30', to: '2026-03-30' }, event: 'button:Book now' });
    expect(source(r, 'ad:77')).toMatchObject({ conversations: 3, leads: 3 });
    const outbox = db
      .prepare(
        'SELECT conversation, meta_event, event_time, state, reason, value_micros, currency FROM capi_outbox ORDER BY conversation, meta_event',
      )
      .all();
    expect(outbox).toEqual([
      {
        conversation: 'c1',
        meta_event: 'LeadSubmitted',
        event_time: t('2026-03-30 10:01'),
        state: 'pending',
        reason: null,
        value_micros: null,
        currency: null,
      },
      {
        conversation: 'c2',
        meta_event: 'LeadSubmitted',
        event_time: t('2026-03-30 11:01'),
        state: 'pending',
        reason: null,
        value_micros: null,
        currency: null,
      },
      {
        conversation: 'c2',
        meta_event: 'Purchase',
        event_time: t('2026-03-30 12:00'),
        state: 'pending',
        reason: null,
        value_micros: 49_900_000,
        currency: 'EUR',
      },
      {
        conversation: 'c3',
        meta_event: 'LeadSubmitted',
        event_time: t('2026-03-30 13:01'),
        state: 'not_sendable',
        reason: 'no_click_id',
        value_micros: null,
        currency: null,
      },
    ]);
  });

  it('Ex 39: previous_external_event_id is followed to an earlier event only, whatever the order', () => {
    const attributed = (order: 'e1 first' | 'e2 first') => {
      const db = makeDb();
      feed(db, {
        messages: [
          { id: 'c1m', ts: '2026-03-10 10:00', text: 'hi', contact: 'c1' },
          { id: 'c2m', ts: '2026-03-01 10:00', text: 'hi', contact: 'c2' },
        ],
      });
      const e1 = { id: 'e1', action: 'Purchase', ts: '2026-03-10 12:00', contact: 'c1', previous: 'e2' };
      const e2 = { id: 'e2', action: 'Purchase', ts: '2026-03-20 12:00', contact: 'c2', previous: 'e1' };
      for (const e of order === 'e1 first' ? [e1, e2] : [e2, e1]) feed(db, { events: [e] });
      const p = activePrefix(db);
      return db
        .prepare(
          `SELECT x.event_id, c.first_message_id AS conv FROM ${p}external x LEFT JOIN ${p}conversations c ON c.id = x.conv ORDER BY 1`,
        )
        .all();
    };
    const expected = [
      { event_id: 'e1', conv: 'c1m' },
      { event_id: 'e2', conv: 'c1m' },
    ];
    expect(attributed('e1 first')).toEqual(expected);
    expect(attributed('e2 first')).toEqual(expected);
  });
});

describe('docs/metrics.md worked examples: imported spend', () => {
  const CSV = [
    'date,source_id,amount,currency,note',
    '2026-03-01,kw:flyer,10,USD,print run',
    '2026-03-02,kw:flyer,10,usd',
    '2026-03-02,kw:flyer,5,USD,second campaign',
    '2026-03-03,kw:flyer,10,USD',
  ].join('\n');

  it('Ex 37: imported daily spend, a manual entry winning its days, the same file twice', () => {
    const db = makeDb();
    addKeywords(db, 'flyer');
    feed(db, { messages: [{ id: 'a', ts: '2026-03-02 10:00', text: 'flyer please' }] });
    expect(importSpend(db, CSV, 'flyer.csv')).toMatchObject({
      lines: 4,
      errors: [],
      added: 3,
      replaced: 0,
      unchanged: 0,
      sources: ['kw:flyer'],
      from: '2026-03-01',
      to: '2026-03-03',
    });
    const row = (from = '2026-03-01', to = '2026-03-31') =>
      source(report(db, { range: { from, to } }), 'kw:flyer')!;
    expect(row()).toMatchObject({ invested: 35, investedFrom: 'imported' });
    expect(row('2026-03-02', '2026-03-02')).toMatchObject({ invested: 15, investedFrom: 'imported' });
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('kw:flyer', 12, 'USD', '2026-03-02', '2026-03-03', 0)",
    ).run();
    expect(row()).toMatchObject({ invested: 22, investedFrom: 'mixed' });
    const before = db.prepare('SELECT * FROM attr_spend_imports ORDER BY date').all();
    expect(importSpend(db, CSV, 'flyer.csv', Date.now() + 60_000)).toMatchObject({
      added: 0,
      replaced: 0,
      unchanged: 3,
    });
    expect(db.prepare('SELECT * FROM attr_spend_imports ORDER BY date').all()).toEqual(before);
    expect(row()).toMatchObject({ invested: 22, investedFrom: 'mixed' });
    // A corrected file replaces the days it names.
    expect(importSpend(db, '2026-03-01,kw:flyer,8,USD', 'fix.csv')).toMatchObject({ replaced: 1 });
    expect(row()).toMatchObject({ invested: 20 });
  });

  it('Ex 38: bad lines are reported with their line numbers and nothing is imported', () => {
    const db = makeDb();
    const csv = [
      'date,source_id,amount,currency',
      '2026-03-01,kw:flyer,10,USD',
      '2026-03-02,kw:flyer,"12,50",USD',
      '2026-03-02,ad:77,5,USD',
      '2026-02-30,kw:flyer,5,USD',
      '2026-03-04,flyer,5,USD',
      '2026-03-05,kw:flyer,5,US',
    ].join('\n');
    const r = importSpend(db, csv, 'bad.csv');
    expect(r.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(r.errors[0]!.reason).toContain('"12,50" is not an amount');
    expect(r.errors[1]!.reason).toContain('ad:77 is a Meta ad');
    expect(r).toMatchObject({ added: 0, replaced: 0, sources: [], from: null });
    expect(importSpend(db, '2026-03-01;kw:flyer;10;USD', 'semi.csv').errors).toEqual([
      { line: 1, reason: 'columns are separated by semicolons; save the file as CSV with commas' },
    ]);
    expect(importSpend(db, '2026-03-01,text:*,10,USD', 'rollup.csv').errors[0]!.reason).toContain(
      'folded first messages',
    );
    expect(db.prepare('SELECT COUNT(*) FROM attr_spend_imports').pluck().get()).toBe(0);
  });
});

describe('docs/metrics.md worked examples: template delivery', () => {
  /** Sends of spring_offer with their statuses (as stored, in arrival order), and two replies. */
  function campaign() {
    const db = makeDb();
    const send = db.prepare(
      "INSERT INTO outgoing_messages (id, phone_number_id, contact_id, template_name, sent_at, origin) VALUES (?, ?, ?, 'spring_offer', ?, 'send-log')",
    );
    const status = db.prepare(
      'INSERT INTO statuses (message_id, status, ts, phone_number_id, recipient_id, pricing, errors) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const PMP = JSON.stringify({ pricing_model: 'PMP', type: 'regular', category: 'marketing' });
    const CBP = JSON.stringify({ pricing_model: 'CBP', billable: true, category: 'marketing' });
    const FREE = JSON.stringify({ pricing_model: 'PMP', type: 'free_customer_service', category: 'service' });
    const err = (code: number, title: string) => JSON.stringify([{ code, title }]);
    send.run('o1', PHONE, 'c1', t('2026-03-02 10:00'));
    // o1: read (delivered is implied; Meta may send no delivered status), then the late sent status.
    status.run('o1', 'read', t('2026-03-02 10:05'), PHONE, 'c1', null, null);
    status.run('o1', 'sent', t('2026-03-02 10:00'), PHONE, 'c1', PMP, null);
    // o2: no send time in the log; its time is its first status's (the stored business message).
    send.run('o2', null, 'c2', null);
    db.prepare(
      "INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type) VALUES ('o2', ?, 'c2', 'out', ?, 'outgoing')",
    ).run(PHONE, t('2026-03-02 10:02'));
    status.run('o2', 'delivered', t('2026-03-02 10:02'), PHONE, 'c2', CBP, null);
    status.run('o2', 'failed', t('2026-03-02 10:30'), PHONE, 'c2', null, err(131000, 'Something went wrong'));
    send.run('o3', PHONE, 'c3', t('2026-03-02 10:00'));
    status.run(
      'o3',
      'failed',
      t('2026-03-02 10:00'),
      PHONE,
      'c3',
      null,
      err(131026, 'Message undeliverable'),
    );
    send.run('o4', PHONE, 'c3', t('2026-03-02 11:00'));
    status.run('o4', 'sent', t('2026-03-02 11:00'), PHONE, 'c3', FREE, null);
    status.run('o4', 'delivered', t('2026-03-02 11:01'), PHONE, 'c3', FREE, null);
    send.run('o5', PHONE, 'c4', t('2026-03-02 10:00'));
    status.run('o5', 'sent', t('2026-03-02 10:00'), PHONE, 'c4', PMP, '{broken');
    send.run('o6', PHONE, 'c5', t('2026-03-03 09:00'));
    status.run(
      'o6',
      'failed',
      t('2026-03-03 09:00'),
      PHONE,
      'c5',
      'not json',
      err(131049, 'Healthy ecosystem'),
    );
    send.run('o7', PHONE2, 'c6', t('2026-03-02 10:00'));
    feed(db, {
      messages: [
        {
          id: 'r1',
          ts: '2026-03-02 10:10',
          button: { text: 'Yes', payload: 'YES' },
          contextId: 'o1',
          contact: 'c1',
        },
        {
          id: 'r2',
          ts: '2026-03-03 12:00',
          button: { text: 'Yes', payload: 'YES' },
          contextId: 'o4',
          contact: 'c3',
        },
      ],
    });
    return db;
  }
  const delivery = (
    db: ReturnType<typeof makeDb>,
    source?: string,
    range = { from: '2026-03-01', to: '2026-03-31' },
  ) => templateDelivery(db, { phone: PHONE, range, ...(source ? { source } : {}) }, { now: NOW });

  it('Ex 40: delivered once any delivered or read status arrived, in any order; a failed then re-sent message', () => {
    const db = campaign();
    const r = delivery(db);
    expect(r.templates).toEqual([
      {
        sourceId: 'tpl:spring_offer',
        template: 'spring_offer',
        sent: 6,
        delivered: 3,
        read: 1,
        failed: 2,
        pending: 1,
        replied: 2,
        deliveredRate: 0.5,
        readRate: 1 / 6,
        replyRate: 2 / 6,
        billable: 3,
        categories: { marketing: 3 },
        errors: [
          { code: '131026', title: 'Message undeliverable', messages: 1 },
          { code: '131049', title: 'Healthy ecosystem', messages: 1 },
        ],
      },
    ]);
    expect(r.series).toBeNull();
    expect(source(report(db), 'tpl:spring_offer')?.conversations).toBe(2);
  });

  it('Ex 41: one template per bucket of the range, and a range that cuts the campaign', () => {
    const db = campaign();
    const r = delivery(db, 'tpl:spring_offer');
    expect(r.granularity).toBe('day');
    const days = r.series!.filter((b) => b.sent + b.replied > 0);
    expect(days).toEqual([
      {
        bucket: '2026-03-02',
        to: '2026-03-02',
        partial: false,
        sent: 5,
        delivered: 3,
        read: 1,
        failed: 1,
        replied: 1,
      },
      {
        bucket: '2026-03-03',
        to: '2026-03-03',
        partial: false,
        sent: 1,
        delivered: 0,
        read: 0,
        failed: 1,
        replied: 1,
      },
    ]);
    expect(
      delivery(db, 'tpl:spring_offer', { from: '2026-03-03', to: '2026-03-03' }).templates,
    ).toMatchObject([{ sent: 1, failed: 1, replied: 1, deliveredRate: 0 }]);
    expect(delivery(db, 'tpl:other').templates).toMatchObject([{ template: 'other', sent: 0, replied: 0 }]);
  });
});

describe('docs/metrics.md worked examples: attribution models', () => {
  const MODELS = ['conversation', 'first_touch', 'last_paid_touch'] as const;
  /** conversations, leads and contacts per source row of a model's report. */
  const split = (r: ReturnType<typeof report>) =>
    Object.fromEntries(r.sources.map((s) => [s.id, [s.conversations, s.leads, s.contacts]]));
  /** conversations and contacts per source row. */
  const counts = (r: ReturnType<typeof report>) =>
    Object.fromEntries(r.sources.map((s) => [s.id, [s.conversations, s.contacts]]));
  const ad = (id: string, ts: string, contact = 'c1', phone = PHONE) => ({
    id,
    ts,
    contact,
    phone,
    text: 'hi',
    referral: { source_id: '77', headline: 'Spring sale' },
  });

  /** Ex 42 and 43: c1 clicks ad 77 in February, writes plainly on 5 Mar, types the keyword on 20 Mar. */
  function ex42() {
    const db = makeDb({ rollupThreshold: 1 });
    addKeywords(db, 'promo');
    feed(db, {
      messages: [
        ad('a1', '2026-02-10 10:00'),
        { id: 'a2', ts: '2026-03-05 10:00', text: 'price?' },
        { id: 'a3', ts: '2026-03-20 10:00', text: 'promo please' },
        { id: 'a4', ts: '2026-03-20 10:05', text: 'yes' },
        { id: 'b1', ts: '2026-03-03 10:00', contact: 'c2', text: 'hello' },
      ],
    });
    return db;
  }

  it('Ex 42: the same conversations under their own, their first and their last paid source', () => {
    const db = ex42();
    const r = (model: (typeof MODELS)[number]) => report(db, { event: 'text:yes', model });
    expect(split(r('conversation'))).toEqual({
      'text:price': [1, 0, 1],
      'kw:promo': [1, 1, 1],
      'text:hello': [1, 0, 1],
    });
    expect(split(r('first_touch'))).toEqual({ 'ad:77': [2, 1, 1], 'text:hello': [1, 0, 1] });
    expect(split(r('last_paid_touch'))).toEqual({
      'ad:77': [1, 0, 1],
      'kw:promo': [1, 1, 1],
      'text:hello': [1, 0, 1],
    });
    for (const m of MODELS) {
      expect(r(m).model).toBe(m);
      expect(r(m).totals).toEqual(r('conversation').totals);
      expect(r(m).totals).toMatchObject({ conversations: 3, contacts: 2, leads: 1 });
    }
    expect(report(db, { event: 'text:yes' }).model).toBe('conversation');
    // The drill-down of a row lists the conversations the row counts in that model (their own source kept).
    const drill = (src: string, model: (typeof MODELS)[number]) =>
      sourceConversations(
        db,
        {
          phone: PHONE,
          range: { from: '2026-03-01', to: '2026-03-31' },
          event: 'text:yes',
          source: src,
          model,
        },
        { now: NOW },
      );
    expect(drill('ad:77', 'first_touch')).toMatchObject({
      total: 2,
      rows: [
        { id: 'a3', sourceId: 'kw:promo', converted: true },
        { id: 'a2', sourceId: 'text:price' },
      ],
    });
    expect(drill('ad:77', 'last_paid_touch').rows.map((c) => c.id)).toEqual(['a2']);
    expect(drill('ad:77', 'conversation').total).toBe(0);
  });

  it('Ex 43: Invested stays with the source that spent it; its cost per lead changes by model', () => {
    const db = ex42();
    db.prepare(
      "INSERT INTO attr_investments (source_key, amount, currency, from_date, to_date, saved_at) VALUES ('ad:77', 60, 'USD', '2026-03-01', '2026-03-31', 1)",
    ).run();
    const r = (model: (typeof MODELS)[number]) => report(db, { event: 'text:yes', model });
    const row = (model: (typeof MODELS)[number]) => source(r(model), 'ad:77');
    expect(row('conversation')).toMatchObject({
      conversations: 0,
      leads: 0,
      invested: 60,
      costPerLead: null,
    });
    expect(row('first_touch')).toMatchObject({ conversations: 2, leads: 1, invested: 60, costPerLead: 60 });
    expect(row('last_paid_touch')).toMatchObject({
      conversations: 1,
      leads: 0,
      invested: 60,
      costPerLead: null,
    });
    for (const m of MODELS) expect(r(m).totals).toMatchObject({ invested: 60, costPerLead: 60 });
    expect(r('conversation').paid).toMatchObject({
      sources: 1,
      conversations: 0,
      leads: 0,
      costPerLead: null,
    });
    expect(r('first_touch').paid).toMatchObject({ sources: 1, conversations: 2, leads: 1, costPerLead: 60 });

    // Synced spend of an ad whose account is not linked to the number, without a conversation of its own
    // in the range: no Invested by conversation, and so none in any model either (totals unchanged).
    const unlinked = ex42();
    const spend = unlinked.prepare(
      "INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, synced_at) VALUES ('act_9', '77', ?, 10, 'USD', 0)",
    );
    for (let d = 1; d <= 10; d++) spend.run(`2026-03-${String(d).padStart(2, '0')}`);
    for (const m of MODELS) {
      const x = report(unlinked, { event: 'text:yes', model: m });
      expect(x.totals.invested).toBeNull();
      expect(source(x, 'ad:77')?.invested ?? null).toBeNull();
    }
  });

  it('Ex 44: a conversation older than the lookback gives no credit; exactly L earlier does', () => {
    const db = makeDb({ rollupThreshold: 1 });
    addKeywords(db, 'promo');
    feed(db, {
      messages: [
        { ...ad('c1', '2025-12-01 10:00'), contact: 'c3' },
        { id: 'c2', ts: '2026-01-20 10:00', contact: 'c3', text: 'hi' },
        { id: 'c3', ts: '2026-03-05 10:00', contact: 'c3', text: 'thanks' },
        // 1 Dec 12:00 to 1 Mar 12:00 (both CET): exactly 90 × 86,400 s.
        { id: 'd1', ts: '2025-12-01 12:00', contact: 'c4', text: 'promo' },
        { id: 'd2', ts: '2026-03-01 12:00', contact: 'c4', text: 'hello' },
      ],
    });
    expect(counts(report(db, { model: 'first_touch' }))).toEqual({ 'text:hi': [1, 1], 'kw:promo': [1, 1] });
    expect(counts(report(db, { model: 'last_paid_touch' }))).toEqual({
      'text:thanks': [1, 1],
      'kw:promo': [1, 1],
    });
  });

  it('Ex 45: a contact with only first messages: first touch is its first one, last paid touch its own', () => {
    const db = makeDb({ rollupThreshold: 1 });
    feed(db, {
      messages: [
        { id: 'e1', ts: '2026-03-02 10:00', contact: 'c5', text: 'hi' },
        { id: 'e2', ts: '2026-03-10 10:00', contact: 'c5', text: 'price?' },
        { id: 'e3', ts: '2026-03-20 10:00', contact: 'c5', text: 'yes' },
      ],
    });
    expect(split(report(db, { event: 'text:yes', model: 'first_touch' }))).toEqual({ 'text:hi': [3, 1, 1] });
    expect(split(report(db, { event: 'text:yes', model: 'last_paid_touch' }))).toEqual({
      'text:hi': [1, 0, 1],
      'text:price': [1, 0, 1],
      'text:yes': [1, 1, 1],
    });
  });

  it('Ex 46: models are per number; a changed phone number keeps its thread', () => {
    const db = makeDb({ rollupThreshold: 1 });
    feed(db, {
      messages: [
        { ...ad('f1', '2026-03-01 10:00'), contact: 'c6' },
        { id: 'f2', ts: '2026-03-03 10:00', contact: 'c6', phone: PHONE2, text: 'hi' },
      ],
    });
    for (const model of MODELS)
      expect(counts(report(db, { phone: PHONE2, model }))).toEqual({ 'text:hi': [1, 1] });
    expect(counts(report(db, { model: 'first_touch' }))).toEqual({ 'ad:77': [1, 1] });

    const at = (s: string) => String(t(s));
    const value = (v: Record<string, unknown>) => ({
      object: 'whatsapp_business_account',
      entry: [
        { id: 'w', changes: [{ field: 'messages', value: { metadata: { phone_number_id: PHONE }, ...v } }] },
      ],
    });
    const moved = makeDb({ rollupThreshold: 1 });
    ingestPayloads(moved, [
      {
        body: value({
          messages: [
            {
              from: '4915100000001',
              id: 'g1',
              timestamp: at('2026-03-01 10:00'),
              type: 'text',
              text: { body: 'hi' },
              referral: { source_type: 'ad', source_id: '77', headline: 'Spring sale' },
            },
            {
              from: '4915100000001',
              id: 's1',
              timestamp: at('2026-03-02 10:00'),
              type: 'system',
              system: { type: 'user_changed_number', wa_id: '4915100000002', body: 'changed' },
            },
            {
              from: '4915100000002',
              id: 'g2',
              timestamp: at('2026-03-05 10:00'),
              type: 'text',
              text: { body: 'hello' },
            },
          ],
        }),
        origin: 'webhook',
      },
    ]);
    expect(counts(report(moved, { model: 'first_touch' }))).toEqual({ 'ad:77': [2, 1] });
    expect(counts(report(moved))).toEqual({ 'ad:77': [1, 1], 'text:hello': [1, 1] });
  });

  it('Ex 47: a template reply is a paid touch; a shorter lookback re-derives the split', async () => {
    const db = makeDb({ rollupThreshold: 1 });
    feed(db, {
      outgoing: [{ id: 'wamid.out1', template: 'spring_offer', contact: 'c9' }],
      messages: [
        {
          id: 'h1',
          ts: '2026-03-02 10:00',
          contact: 'c9',
          button: { text: 'Tell me more' },
          contextId: 'wamid.out1',
        },
        { id: 'h2', ts: '2026-03-10 10:00', contact: 'c9', text: 'yes' },
      ],
    });
    const lpt = () => split(report(db, { event: 'text:yes', model: 'last_paid_touch' }));
    expect(lpt()).toEqual({ 'tpl:spring_offer': [2, 1, 1] });
    expect(
      source(report(db, { event: 'text:yes', model: 'last_paid_touch' }), 'tpl:spring_offer'),
    ).toMatchObject({ conversionRate: 0.5 });
    setSetting(db, 'attributionLookbackDays', 7);
    await rebuildDerived(db);
    expect(lpt()).toEqual({ 'tpl:spring_offer': [1, 0, 1], 'text:yes': [1, 1, 1] });
  });
});
