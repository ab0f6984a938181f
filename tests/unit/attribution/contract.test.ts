import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTACTS_COLUMNS } from '../../../src/core/attribution/drilldown';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { feed, seed, t } from './feed';

// The attribution methods through the core host: validation, lanes and jobs exactly as the app calls them.

let core: TestCore;
beforeEach(() => {
  core = makeTestCore();
});
afterEach(async () => {
  await core.close();
});

const range = { from: '2026-03-01', to: '2026-03-31' };

function fill() {
  const db = seed(core.db());
  feed(db, {
    messages: [
      {
        id: 'a',
        ts: '2026-03-02 10:00',
        text: 'x',
        referral: { source_id: '77', headline: 'Spring' },
        contact: '4911',
      },
      { id: 'b', ts: '2026-03-03 11:00', text: 'Question', contact: '4911' },
      { id: 'c', ts: '2026-03-04 10:00', text: 'Hello', contact: '4933' },
      { id: 'c2', ts: '2026-03-04 10:05', button: { text: 'Book now' }, contact: '4933' },
    ],
    events: [
      { id: 'e', action: 'Purchase', ts: '2026-03-02 12:00', contact: '4911', amount: 20, currency: 'USD' },
    ],
  });
  return db;
}

describe('attribution contract', () => {
  it('report.get validates and answers; events.list suggests the external event', async () => {
    fill();
    const r = await core.call('report.get', { phone: '1000000001', range });
    expect(r.event?.id).toBe('ext:Purchase');
    expect(r.totals).toMatchObject({ conversations: 3, leads: 1, revenue: 20 });
    const ev = await core.call('events.list', { phone: '1000000001', range, kind: 'button' });
    expect(ev.events.map((e) => e.id)).toEqual(['button:Book now']);
    expect(ev.suggested).toBe('ext:Purchase');
    await expect(core.call('report.get', { phone: 'nope', range })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      core.call('report.get', { phone: '1000000001', range: { from: '2026-03-31', to: '2026-03-01' } }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(
      core.call('report.get', { phone: '1000000001', range, timezone: 'Mars/Olympus' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(
      core.call('report.get', { phone: '1000000001', range, event: 'bogus' }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('a channel added before its first delivery has an empty report and event list, not an error', async () => {
    await core.call('channels.add', { phoneNumberId: '106540352242922', name: 'New shop' });
    expect((await core.call('phones.list', {})).map((p) => p.id)).toContain('106540352242922');
    const both = await core.call('report.dashboard', { phone: '106540352242922', range });
    expect(both.report.phone).toMatchObject({ id: '106540352242922', name: 'New shop' });
    expect(both.report.totals).toMatchObject({ conversations: 0, leads: 0 });
    expect(both.report.sources).toEqual([]);
    expect(both.events.events).toEqual([]);
    await expect(core.call('report.get', { phone: '999999999', range })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('settings: validated, and a window change rebuilds on the job lane', async () => {
    fill();
    const s = await core.call('settings.get', {});
    expect(s).toMatchObject({
      conversationWindowHours: 24,
      attributionWindowDays: 30,
      currency: 'USD',
      rollupThreshold: 2,
      rebuildPending: false,
    });
    await expect(
      core.call('settings.set', { key: 'conversationWindowHours', value: '0' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(core.call('settings.set', { key: 'timezone', value: 'Nowhere/City' })).rejects.toMatchObject(
      { code: 'invalid_argument' },
    );
    await expect(core.call('settings.set', { key: 'currency', value: 'dollars' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect((await core.call('settings.get', {})).conversationWindowHours).toBe(24);
    const set = await core.call('settings.set', { key: 'conversationWindowHours', value: '48' });
    expect(set).toMatchObject({ conversationWindowHours: 48, rebuilt: true, rebuildPending: false });
    const r = await core.call('report.get', { phone: '1000000001', range });
    expect(r.totals.conversations).toBe(2);
    const cur = await core.call('settings.set', { key: 'currency', value: 'eur' });
    expect(cur).toMatchObject({ currency: 'EUR', rebuilt: false });
    expect(
      (await core.call('report.get', { phone: '1000000001', range, event: 'ext:Purchase' })).totals,
    ).toMatchObject({
      revenue: 0,
      revenueOther: { USD: 20 },
      currency: 'EUR',
    });
  });

  it('keywords add/list/remove re-derive sources', async () => {
    fill();
    const add = await core.call('keywords.add', { keyword: '  HELLO! ' });
    expect(add).toEqual({ keyword: 'hello', rebuilt: true });
    expect((await core.call('keywords.list', {})).map((k) => k.keyword)).toEqual(['hello']);
    const r = await core.call('report.get', { phone: '1000000001', range });
    expect(r.sources.map((s) => s.id)).toContain('kw:hello');
    await expect(core.call('keywords.add', { keyword: '!!!' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(core.call('keywords.remove', { keyword: 'absent' })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await core.call('keywords.remove', { keyword: 'hello' })).toEqual({
      keyword: 'hello',
      rebuilt: true,
    });
    expect(
      (await core.call('report.get', { phone: '1000000001', range })).sources.map((s) => s.id),
    ).not.toContain('kw:hello');
  });

  it('sources.rename and sources.invest for exactly the shown range', async () => {
    fill();
    await core.call('sources.rename', { id: 'ad:77', name: 'Spring video' });
    const e = await core.call('sources.invest', {
      id: 'ad:77',
      amount: 31,
      currency: 'USD',
      from: range.from,
      to: range.to,
    });
    expect(e).toMatchObject({ sourceId: 'ad:77', amount: 31, from: '2026-03-01', to: '2026-03-31' });
    const r = await core.call('report.get', { phone: '1000000001', range, event: 'ext:Purchase' });
    expect(r.sources.find((s) => s.id === 'ad:77')).toMatchObject({
      name: 'Spring video',
      invested: 31,
      investedFrom: 'manual',
      costPerLead: 31,
    });
    const week = await core.call('report.get', {
      phone: '1000000001',
      range: { from: '2026-03-01', to: '2026-03-07' },
      event: 'ext:Purchase',
    });
    expect(week.sources.find((s) => s.id === 'ad:77')?.invested).toBeCloseTo(7, 9);
    expect((await core.call('sources.investments', { id: 'ad:77' })).map((i) => i.id)).toEqual([e.id]);
    await expect(
      core.call('sources.invest', {
        id: 'ad:77',
        amount: 1,
        currency: 'USD',
        from: '2026-03-10',
        to: '2026-03-01',
      }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(
      core.call('sources.invest', {
        id: 'ad:77',
        amount: -1,
        currency: 'USD',
        from: range.from,
        to: range.to,
      }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await core.call('sources.investmentDelete', { id: e.id });
    expect(
      (await core.call('report.get', { phone: '1000000001', range })).sources.find((s) => s.id === 'ad:77')
        ?.invested,
    ).toBeNull();
    await core.call('sources.rename', { id: 'ad:77', name: '' });
    expect(
      (await core.call('report.get', { phone: '1000000001', range })).sources.find((s) => s.id === 'ad:77')
        ?.name,
    ).toBe('Spring');
  });

  it('contacts.export: BOM, leads only unless all, formula cells neutralised', async () => {
    fill();
    const leads = await core.call('contacts.export', { phone: '1000000001', range, event: 'ext:Purchase' });
    expect(leads.rows).toBe(1);
    expect(leads.csv.startsWith(`\uFEFF${CONTACTS_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(leads.csv).toContain(
      '"+4911",Name 4911,ad:77,Spring,,,77,2026-03-02T10:00:00+01:00,Purchase,2026-03-02T12:00:00+01:00,20,USD,4911\r\n',
    );
    core.db().prepare("UPDATE contacts SET name = '=cmd|calc' WHERE id = '4933'").run();
    await core.call('sources.rename', { id: 'text:hello', name: '+SUM(A1)' });
    const all = await core.call('contacts.export', {
      phone: '1000000001',
      range,
      event: 'ext:Purchase',
      all: true,
    });
    expect(all.rows).toBe(3);
    expect(all.csv).toContain(`'=cmd|calc`);
    expect(all.csv).toContain(`'+SUM(A1)`);
    // Only the quoted E.164 phone may start with "+": digits after it, never a formula.
    expect(all.csv).not.toMatch(/(^|,)[=+]/m);
    const src = await core.call('contacts.export', {
      phone: '1000000001',
      range,
      source: 'ad:77',
      all: true,
    });
    expect(src.rows).toBe(1);
  });

  it('contacts.export: one row per revenue currency, Meta names for ads, nothing for events without revenue', async () => {
    const db = fill();
    feed(db, {
      events: [
        { id: 'e2', action: 'Purchase', ts: '2026-03-02 13:00', contact: '4911', amount: 5, currency: 'EUR' },
        { id: 's1', action: 'Signup', ts: '2026-03-04 11:00', contact: '4933' },
        { id: 's2', action: 'Signup', ts: '2026-03-02 11:00', contact: '4911' },
      ],
    });
    db.prepare(
      "INSERT INTO meta_ads (ad_id, name, adset_id, adset_name, campaign_id, campaign_name, account_id) VALUES ('77', 'Video 1', 's1', 'DE', 'c1', 'Brand', 'act_1')",
    ).run();
    const rows = (csv: string) =>
      csv
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(','));
    const purchase = rows(
      (await core.call('contacts.export', { phone: '1000000001', range, event: 'ext:Purchase' })).csv,
    );
    expect(purchase.map((r) => [r[0], r[4], r[5], r[6], r[8], r[10], r[11]])).toEqual([
      ['"+4911"', 'Brand', 'DE', 'Video 1', 'Purchase', '20', 'USD'],
      ['"+4911"', 'Brand', 'DE', 'Video 1', 'Purchase', '5', 'EUR'],
    ]);
    const signup = rows(
      (await core.call('contacts.export', { phone: '1000000001', range, event: 'ext:Signup' })).csv,
    );
    expect(signup.map((r) => [r[2], r[8], r[10], r[11]])).toEqual([
      ['text:hello', 'Signup', '', ''],
      ['ad:77', 'Signup', '', ''],
    ]);
  });

  it('sources.conversations and conversations.timeline for the drill-down', async () => {
    const db = fill();
    db.prepare("INSERT INTO statuses (message_id, status, ts) VALUES ('out1', 'read', ?)").run(
      t('2026-03-04 10:03'),
    );
    db.prepare(
      "INSERT INTO messages (id, phone_number_id, contact_id, direction, ts, type) VALUES ('out1', '1000000001', '4933', 'out', ?, 'outgoing')",
    ).run(t('2026-03-04 10:02'));
    const page = await core.call('sources.conversations', {
      phone: '1000000001',
      range,
      source: 'text:*',
      event: 'button:Book now',
    });
    expect(page.total).toBe(2);
    expect(page.rows.map((r) => [r.id, r.converted])).toEqual([
      ['c', true],
      ['b', false],
    ]);
    const tl = await core.call('conversations.timeline', { id: 'c' });
    expect(tl.items.map((i) => i.id)).toEqual(['c', 'out1', 'c2']);
    expect(tl.items[1]).toMatchObject({ kind: 'message', direction: 'out', statuses: [{ status: 'read' }] });
    expect(tl.items[2]).toMatchObject({ eventId: 'button:Book now', counts: true });
    const ext = await core.call('conversations.timeline', { id: 'a' });
    expect(ext.items.map((i) => i.kind)).toEqual(['message', 'external']);
    await expect(core.call('conversations.timeline', { id: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('a real Cloud API payload through ingestPayloads is derived in the same transaction', async () => {
    const db = core.db();
    seed(db);
    const payload = (id: string, ts: string, message: Record<string, unknown>) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550001111', phone_number_id: '1000000001' },
                contacts: [{ profile: { name: 'Ana' }, wa_id: '4915123456789' }],
                messages: [{ from: '4915123456789', id, timestamp: ts, ...message }],
              },
            },
          ],
        },
      ],
    });
    const start = t('2026-03-02 10:00');
    const res = ingestPayloads(db, [
      {
        origin: 'webhook',
        body: payload('wamid.A', String(start), {
          type: 'text',
          text: { body: 'Hi, I saw the promo' },
          referral: {
            source_url: 'https://fb.me/x',
            source_id: '120226305854810726',
            source_type: 'ad',
            headline: 'Summer',
          },
        }),
      },
      {
        origin: 'webhook',
        body: payload('wamid.B', String(start + 120), {
          type: 'interactive',
          interactive: { type: 'list_reply', list_reply: { id: 'row-2', title: 'Premium' } },
        }),
      },
      {
        origin: 'webhook',
        body: payload('wamid.C', String(start + 200), {
          type: 'reaction',
          reaction: { message_id: 'x', emoji: '👍' },
        }),
      },
    ]);
    expect(res.messages).toBe(3);
    const r = await core.call('report.get', { phone: '1000000001', range });
    expect(r.event).toEqual({ id: 'list:Premium', kind: 'list', label: 'Premium' });
    expect(r.sources).toMatchObject([
      { id: 'ad:120226305854810726', kind: 'meta_ad', name: 'Summer', conversations: 1, leads: 1 },
    ]);
    expect(r.funnel[1]).toMatchObject({ conversations: 1, medianSecondsFromStart: 120 });
  });
});
