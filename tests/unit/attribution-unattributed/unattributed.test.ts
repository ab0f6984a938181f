import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/core/db/open';
import { type ExternalEventInput, storeExternalEvents } from '../../../src/core/ingest/external-events';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { makeTestCore, type TestCore } from '../../helpers/core';

// events.unattributed.*: data arrives through the real ingestion functions; reasons follow the engine's rules.

let core: TestCore;
let db: Db;
beforeEach(() => {
  core = makeTestCore();
  db = core.db();
});
afterEach(async () => {
  await core.close();
});

const DAY = 86_400;
const T0 = Date.UTC(2026, 2, 2, 10) / 1000;

function message(phoneId: string, display: string, contact: string, id: string, ts: number) {
  ingestPayloads(db, [
    {
      origin: 'webhook',
      body: {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: 'WABA',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: display, phone_number_id: phoneId },
                  contacts: [{ profile: { name: 'Ana' }, wa_id: contact }],
                  messages: [
                    { from: contact, id, timestamp: String(ts), type: 'text', text: { body: 'Hi' } },
                  ],
                },
              },
            ],
          },
        ],
      },
    },
  ]);
}

function event(e: Partial<ExternalEventInput> & { contactId: string; ts: number }): string {
  const [stored] = storeExternalEvents(db, [
    {
      event: {
        action: 'Purchase',
        revenueAmount: null,
        revenueCurrency: null,
        appId: null,
        previousExternalEventId: null,
        eventId: null,
        ...e,
      },
      options: { origin: 'webhook' },
    },
  ]);
  return stored!.id;
}

const reasonOf = async (id: string) =>
  (await core.call('events.unattributed.list', {})).rows.find((r) => r.id === id)?.reason;

describe('unattributed external events', () => {
  it('lists each unattributed event with the engine’s reason, newest first, and skips attributed ones', async () => {
    message('1000000001', '15550001111', '4911', 'wamid.1', T0);
    const ok = event({ contactId: '4911', ts: T0 + 60, revenueAmount: 20, revenueCurrency: 'eur' });
    const noConv = event({ contactId: '4999', ts: T0 + 120 });
    const unknownApp = event({ contactId: '4911', ts: T0 + 180, appId: 'PN9' });
    const late = event({ contactId: '4911', ts: T0 + 400 * DAY, revenueAmount: 5, revenueCurrency: 'usd' });
    const chain = event({ contactId: '4998', ts: T0 + 240, previousExternalEventId: 'missing-1' });
    message('1000000002', '15550002222', '4977', 'wamid.2', T0);
    const otherApp = event({ contactId: '4977', ts: T0 + 300, appId: '1000000001' });
    const before = event({ contactId: '4977', ts: T0 - DAY });

    const res = await core.call('events.unattributed.list', {});
    expect(res.total).toBe(6);
    expect(res.rows.map((r) => r.id)).toEqual([late, otherApp, chain, unknownApp, noConv, before]);
    expect(res.rows.some((r) => r.id === ok)).toBe(false);
    expect(res.rows[0]).toMatchObject({
      action: 'Purchase',
      leadPhone: '4911',
      revenue: 5,
      currency: 'USD',
      appId: null,
      time: new Date((T0 + 400 * DAY) * 1000).toISOString(),
    });
    expect(await reasonOf(noConv)).toBe('no conversation with this contact');
    expect(await reasonOf(unknownApp)).toBe('unknown app_id PN9');
    expect(await reasonOf(late)).toMatch(/^later than the attribution window \(\d+ days?\)/);
    expect(await reasonOf(chain)).toBe(
      'previous_external_event_id missing-1 not found; no conversation with this contact',
    );
    expect(await reasonOf(otherApp)).toBe('no conversation on app_id 1000000001');
    expect(await reasonOf(before)).toBe('no conversation with this contact before the event');
  });

  it('pages, and filters by business number (app_id naming it or empty)', async () => {
    message('1000000001', '15550001111', '4911', 'wamid.1', T0);
    message('1000000002', '15550002222', '4922', 'wamid.2', T0);
    event({ contactId: '4999', ts: T0 + 10 });
    event({ contactId: '4999', ts: T0 + 20, appId: '15550002222' });
    event({ contactId: '4999', ts: T0 + 30, appId: '1000000001' });
    const page = await core.call('events.unattributed.list', { limit: 2, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.time)).toEqual([
      new Date((T0 + 20) * 1000).toISOString(),
      new Date((T0 + 10) * 1000).toISOString(),
    ]);
    const pn2 = await core.call('events.unattributed.list', { phone: '1000000002' });
    expect(pn2.total).toBe(2);
    expect(pn2.rows.map((r) => r.appId)).toEqual(['15550002222', null]);
    await expect(core.call('events.unattributed.list', { phone: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('retry attributes an event once its conversation exists, and says why when it still cannot', async () => {
    const id = event({ contactId: '4911', ts: T0 + 60 });
    expect(await core.call('events.unattributed.retry', { id })).toEqual({
      attributed: false,
      reason: 'no conversation with this contact',
    });
    // A conversation stored by a path that does not re-derive the contact's events (as an old build could leave).
    message('1000000001', '15550001111', '4911', 'wamid.1', T0);
    const x = db.prepare("SELECT value FROM attr_state WHERE key = 'active'").pluck().get() as string;
    db.prepare(`UPDATE ${JSON.parse(x)}external SET conv = NULL WHERE event_id = ?`).run(id);
    expect(await reasonOf(id)).toBe('matches a conversation now: retry');
    expect(await core.call('events.unattributed.retry', { id })).toEqual({ attributed: true, reason: null });
    expect((await core.call('events.unattributed.list', {})).total).toBe(0);
    const r = await core.call('report.get', {
      phone: '1000000001',
      range: { from: '2026-03-01', to: '2026-03-31' },
    });
    expect(r.event?.id).toBe('ext:Purchase');
    expect(r.totals.leads).toBe(1);
    await expect(core.call('events.unattributed.retry', { id: 'ee_nope' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('delete removes an unattributed event, refuses an attributed one, and re-derives events chained to it', async () => {
    message('1000000001', '15550001111', '4911', 'wamid.1', T0);
    const counted = event({ contactId: '4911', ts: T0 + 60, eventId: 'lead-1' });
    const chained = event({ contactId: '4999', ts: T0 + 120, previousExternalEventId: 'lead-1' });
    const stray = event({ contactId: '4999', ts: T0 + 180 });
    expect((await core.call('events.unattributed.list', {})).rows.map((r) => r.id)).toEqual([stray]);
    await expect(core.call('events.unattributed.delete', { id: counted })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(await core.call('events.unattributed.delete', { id: stray })).toEqual({ deleted: 1 });
    expect(db.prepare('SELECT COUNT(*) FROM external_events WHERE id = ?').pluck().get(stray)).toBe(0);
    expect((await core.call('events.unattributed.list', {})).total).toBe(0);
    // The chain head is attributed, so it stays; its dependant keeps counting.
    expect(db.prepare('SELECT COUNT(*) FROM external_events WHERE id = ?').pluck().get(chained)).toBe(1);
    await expect(core.call('events.unattributed.delete', { id: stray })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
