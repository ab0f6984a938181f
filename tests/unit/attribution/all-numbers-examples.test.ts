import { describe, expect, it } from 'vitest';
import { sourceConversations } from '../../../src/core/attribution/drilldown';
import { templateDelivery } from '../../../src/core/attribution/report/template-delivery';
import { ALL_NUMBERS } from '../../../src/shared/all-numbers';
import { events, feed, makeDb, NOW, PHONE, PHONE2, report, t } from './feed';

// docs/metrics.md "All numbers": Ex 48–52, by their numbers. Each also compares the exact path (a report
// timezone other than the summaries') with the summary path: All numbers must give the same figures on both.

const ALL = { phone: ALL_NUMBERS };
const both = (db: ReturnType<typeof makeDb>, q: Parameters<typeof report>[1] = {}) => {
  const summary = report(db, { ...ALL, ...q });
  const exact = report(db, { ...ALL, ...q }, { forceExact: true });
  expect(exact).toEqual(summary);
  return summary;
};
const rows = (r: ReturnType<typeof report>) =>
  r.sources.map((s) => [s.id, s.conversations, s.contacts, s.leads]);

describe('docs/metrics.md worked examples: All numbers', () => {
  it('Ex 48: a keyword source on two numbers is one row; counts are summed', () => {
    const db = makeDb({ rollupThreshold: 1 });
    db.prepare("INSERT INTO attr_keywords VALUES ('promo', 0)").run();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'promo', contact: 'c1' },
        { id: 'a2', ts: '2026-03-02 10:05', text: 'yes', contact: 'c1' },
        { id: 'b', ts: '2026-03-03 10:00', text: 'promo', contact: 'c2' },
        { id: 'c', ts: '2026-03-04 10:00', text: 'promo', contact: 'c3', phone: PHONE2 },
        { id: 'c2', ts: '2026-03-04 10:05', text: 'yes', contact: 'c3', phone: PHONE2 },
        { id: 'd', ts: '2026-03-05 10:00', text: 'hello', contact: 'c4', phone: PHONE2 },
      ],
    });
    const r = both(db, { event: 'text:yes' });
    expect(r.phone).toEqual({ id: 'all', display: null, name: 'All numbers' });
    expect(rows(r)).toEqual([
      ['kw:promo', 3, 3, 2],
      ['text:hello', 1, 1, 0],
    ]);
    expect(r.totals).toMatchObject({ conversations: 4, contacts: 4, leads: 2, conversionRate: 0.5 });
    expect(rows(report(db, { event: 'text:yes' }))).toEqual([['kw:promo', 2, 2, 1]]);
    expect(rows(report(db, { event: 'text:yes', phone: PHONE2 }))).toEqual([
      ['kw:promo', 1, 1, 1],
      ['text:hello', 1, 1, 0],
    ]);
    // The events of every number, their leads added up.
    expect(events(db, ALL).events.map((e) => [e.id, e.leads])).toEqual([
      ['text:promo', 3],
      ['text:yes', 2],
      ['text:hello', 1],
    ]);
  });

  it('Ex 49: an ad whose account is linked to two numbers is paid once', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'x', referral: { source_id: '77' }, contact: 'c1' },
        {
          id: 'b',
          ts: '2026-03-03 10:00',
          text: 'x',
          referral: { source_id: '77' },
          contact: 'c2',
          phone: PHONE2,
        },
      ],
    });
    db.prepare(
      "INSERT INTO meta_accounts (id, account_id, name, currency, selected) VALUES ('act_1', '1', 'A', 'USD', 1)",
    ).run();
    for (const p of [PHONE, PHONE2])
      db.prepare("INSERT INTO meta_account_numbers (account_id, phone_number_id) VALUES ('act_1', ?)").run(p);
    const ads = db.prepare("INSERT INTO meta_ads (ad_id, account_id, name) VALUES (?, 'act_1', ?)");
    ads.run('77', 'Video 1');
    ads.run('88', 'Video 2');
    const spend = db.prepare(
      "INSERT INTO meta_spend (account_id, ad_id, date, spend, currency, synced_at) VALUES ('act_1', ?, ?, 10, 'USD', 0)",
    );
    for (let d = 1; d <= 10; d++) {
      spend.run('77', `2026-03-${String(d).padStart(2, '0')}`);
      if (d <= 3) spend.run('88', `2026-03-0${d}`);
    }
    const r = both(db);
    expect(r.sources.map((s) => [s.id, s.conversations, s.invested])).toEqual([
      ['ad:77', 2, 100],
      ['ad:88', 0, 30],
    ]);
    expect(r.totals).toMatchObject({ conversations: 2, invested: 130, costPerLead: 65 });
    expect(r.paid).toMatchObject({ sources: 2, conversations: 2, invested: 130 });
    // Each number's report shows the whole spend of both ads: adding them up would say 260.
    for (const phone of [PHONE, PHONE2]) expect(report(db, { phone }).totals.invested).toBe(130);
  });

  it('Ex 50: a contact who wrote to two numbers is one contact', () => {
    const db = makeDb({ rollupThreshold: 1 });
    db.prepare("INSERT INTO attr_keywords VALUES ('promo', 0)").run();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'promo', contact: 'c1' },
        { id: 'b', ts: '2026-03-05 10:00', text: 'promo', contact: 'c1', phone: PHONE2 },
        { id: 'c', ts: '2026-03-06 11:00', text: 'hello', contact: 'c1', phone: PHONE2 },
        { id: 'd', ts: '2026-03-07 10:00', text: 'promo', contact: 'c2' },
      ],
    });
    const r = both(db);
    expect(r.sources.map((s) => [s.id, s.conversations, s.contacts])).toEqual([
      ['kw:promo', 3, 2],
      ['text:hello', 1, 1],
    ]);
    expect(r.totals).toMatchObject({ conversations: 4, contacts: 2 });
    const perNumber = [PHONE, PHONE2].map((phone) => report(db, { phone }).totals.contacts);
    expect(perNumber).toEqual([2, 1]);
    // 1–5 Mar: c1 on both numbers, c2 not yet.
    expect(both(db, { range: { from: '2026-03-01', to: '2026-03-05' } }).totals).toMatchObject({
      conversations: 2,
      contacts: 1,
    });
  });

  it('Ex 51: external events are attributed per number, counted once', () => {
    const db = makeDb({ rollupThreshold: 1 });
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-01 10:00', text: 'hello', contact: 'c1' },
        { id: 'b', ts: '2026-03-05 10:00', text: 'hi', contact: 'c1', phone: PHONE2 },
      ],
      events: [
        { id: 'e1', action: 'Purchase', ts: '2026-03-06 10:00', contact: 'c1', amount: 30 },
        {
          id: 'e2',
          action: 'Purchase',
          ts: '2026-03-07 10:00',
          contact: 'c1',
          amount: 20,
          appId: '15550001111',
        },
        { id: 'e3', action: 'Purchase', ts: '2026-03-08 10:00', contact: 'stranger' },
        { id: 'e4', action: 'Purchase', ts: '2026-03-08 10:00', contact: 'stranger', appId: PHONE2 },
        { id: 'e5', action: 'Purchase', ts: '2026-03-08 10:00', contact: 'stranger', appId: '999' },
      ],
    });
    const r = both(db, { event: 'ext:Purchase' });
    expect(r.sources.map((s) => [s.id, s.leads, s.revenue])).toEqual([
      ['text:hello', 1, 20],
      ['text:hi', 1, 30],
    ]);
    expect(r.totals).toMatchObject({ leads: 2, revenue: 50 });
    expect(r.unattributedExternalEvents).toBe(2);
    expect(report(db, { event: 'ext:Purchase' }).unattributedExternalEvents).toBe(1);
    expect(report(db, { event: 'ext:Purchase', phone: PHONE2 }).unattributedExternalEvents).toBe(2);
  });

  it('Ex 52: comparison, trend and drill-down over every number', () => {
    const db = makeDb();
    db.prepare("INSERT INTO attr_keywords VALUES ('promo', 0)").run();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-10 10:00', text: 'promo', contact: 'c1' },
        { id: 'b', ts: '2026-03-26 10:00', text: 'promo', contact: 'c2', phone: PHONE2 },
        { id: 'c', ts: '2026-03-27 10:00', text: 'promo', contact: 'c3' },
      ],
    });
    const r = both(db, { range: { from: '2026-03-25', to: '2026-03-31' } });
    expect(r.previous).toMatchObject({ conversations: 0, comparison: 'full', dataFrom: '2026-03-10' });
    expect(
      report(db, { phone: PHONE2, range: { from: '2026-03-25', to: '2026-03-31' } }).previous,
    ).toMatchObject({
      comparison: 'none',
    });
    expect(r.series.filter((p) => p.conversations > 0).map((p) => [p.bucket, p.conversations])).toEqual([
      ['2026-03-26', 1],
      ['2026-03-27', 1],
    ]);
    const drill = sourceConversations(
      db,
      { ...ALL, range: { from: '2026-03-01', to: '2026-03-31' }, source: 'kw:promo' },
      { now: NOW },
    );
    expect(drill.total).toBe(3);
    expect(drill.rows.map((c) => [c.contact, c.phone])).toEqual([
      ['c3', PHONE],
      ['c2', PHONE2],
      ['c1', PHONE],
    ]);
  });

  it('template delivery over All numbers counts the sends and replies of every number', () => {
    const db = makeDb();
    const send = db.prepare(
      "INSERT INTO outgoing_messages (id, phone_number_id, contact_id, template_name, sent_at, origin) VALUES (?, ?, ?, 'spring_offer', ?, 'send-log')",
    );
    send.run('o1', PHONE, 'c1', t('2026-03-02 10:00'));
    send.run('o2', PHONE2, 'c2', t('2026-03-02 10:00'));
    feed(db, {
      messages: [
        {
          id: 'r2',
          ts: '2026-03-02 11:00',
          button: { text: 'Yes' },
          contextId: 'o2',
          contact: 'c2',
          phone: PHONE2,
        },
      ],
    });
    const q = { range: { from: '2026-03-01', to: '2026-03-31' } };
    const of = (phone: string) =>
      templateDelivery(db, { ...q, phone }, { now: NOW }).templates.map((x) => [x.sent, x.replied]);
    expect(of(ALL_NUMBERS)).toEqual([[2, 1]]);
    expect(of(PHONE)).toEqual([[1, 0]]);
    expect(of(PHONE2)).toEqual([[1, 1]]);
  });
});
