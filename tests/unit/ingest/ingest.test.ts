import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/core/db/open';
import { openDatabase } from '../../../src/core/db/open';
import { eraseContact } from '../../../src/core/ingest/erase';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { addToQuarantine } from '../../../src/core/ingest/quarantine';
import { applyRetention, setRetentionDays } from '../../../src/core/ingest/retention';
import { tempDir } from '../../helpers/core';

const dir = path.join(__dirname, '../../fixtures/webhooks');
const fixture = (format: 'cloud' | 'onprem', name: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, format, `${name}.json`), 'utf8'));
const names = (format: 'cloud' | 'onprem') =>
  fs.readdirSync(path.join(dir, format)).map((f) => f.replace(/\.json$/, ''));

const count = (db: Db, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

/** A plausible time (2023-11-14): deliveries outside 2009…tomorrow are refused (plausible-time.ts). */
const T0 = 1_700_000_000;

function cloudText(id: string, from: string, ts: number, body: string, extra: Record<string, unknown> = {}) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba',
        changes: [
          {
            field: 'messages',
            value: {
              metadata: { display_phone_number: '+1 555 000 1111', phone_number_id: '1000000001' },
              contacts: [{ profile: { name: `n-${from}` }, wa_id: from }],
              messages: [{ from, id, timestamp: String(ts), type: 'text', text: { body }, ...extra }],
            },
          },
        ],
      },
    ],
  };
}

let db: Db;
let workDir: string;
beforeEach(() => {
  workDir = tempDir();
  db = openDatabase(path.join(workDir, 'w.sqlite'));
});
afterEach(() => {
  db.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe('ingestPayloads', () => {
  it('stores every fixture of both formats, raw payload deflated', () => {
    const items = [
      ...names('cloud').map((n) => ({ body: fixture('cloud', n), origin: 'import' as const })),
      ...names('onprem').map((n) => ({
        body: fixture('onprem', n),
        origin: 'import' as const,
        channel: '1234567890',
      })),
    ];
    const r = ingestPayloads(db, items);
    expect(r.rejected).toEqual([]);
    expect(r.payloads).toBe(items.length);
    // The same message ids in both formats: each stored once.
    expect(count(db, 'messages')).toBe(16 + 2); // 16 inbound + wamid.OUT1 and wamid.OUT9 known from statuses
    expect(count(db, 'statuses')).toBe(4);
    const raw = db.prepare('SELECT body, size, format FROM raw_payloads ORDER BY id LIMIT 1').get() as {
      body: Buffer;
      size: number;
      format: string;
    };
    const text = inflateSync(raw.body).toString('utf8');
    expect(Buffer.byteLength(text)).toBe(raw.size);
    expect(JSON.parse(text)).toEqual(items[0]!.body);
    const number = db.prepare('SELECT * FROM business_numbers').get() as Record<string, unknown>;
    expect(number).toMatchObject({
      phone_number_id: '1234567890',
      display_number: '15550001111',
      waba_id: '102290129340398',
    });
    expect(number.first_message_at).toBe(1732550400 - 100);
    expect(number.last_message_at).toBe(1732550400 + 15);
    const btn = db.prepare("SELECT * FROM messages WHERE id = 'wamid.IN.button'").get() as Record<
      string,
      unknown
    >;
    expect(btn).toMatchObject({
      direction: 'in',
      // The system fixture (user_changed_number) moved Ana to her new number, with her history.
      contact_id: '4915199999999',
      text: 'Yes please',
      button_payload: 'YES_PAYLOAD',
      context_id: 'wamid.OUT1',
    });
    const ref = db
      .prepare("SELECT referral_source_id, referral FROM messages WHERE id = 'wamid.IN.referral'")
      .get() as { referral: string; referral_source_id: string };
    expect(ref.referral_source_id).toBe('120226305854810726');
    expect(JSON.parse(ref.referral).ctwa_clid).toMatch(/^ARAk/);
  });

  it('stores a message once and a status once per (id, status) however often delivered', () => {
    const a = cloudText('wamid.A', '111111', T0 + 100, 'hi');
    expect(ingestPayloads(db, [{ body: a, origin: 'webhook' }])).toMatchObject({ payloads: 1, messages: 1 });
    // The identical delivery again, and the same message inside a differently shaped delivery.
    const again = ingestPayloads(db, [{ body: structuredClone(a), origin: 'webhook' }]);
    expect(again).toMatchObject({ payloads: 0, duplicatePayloads: 1, messages: 0 });
    const reshaped = structuredClone(a);
    reshaped.entry[0]!.changes[0]!.value.contacts[0]!.profile.name = 'renamed';
    expect(ingestPayloads(db, [{ body: reshaped, origin: 'webhook' }])).toMatchObject({
      payloads: 1,
      messages: 0,
    });
    expect(count(db, 'messages')).toBe(1);
    expect((db.prepare("SELECT name FROM contacts WHERE id = '111111'").get() as { name: string }).name).toBe(
      'renamed',
    );
    const st = (status: string, ts: number) => ({
      statuses: [{ id: 'wamid.OUT', status, timestamp: String(ts), recipient_id: '111111' }],
    });
    ingestPayloads(db, [
      { body: st('read', T0 + 300), origin: 'webhook', channel: '1000000001' },
      { body: st('read', T0 + 300), origin: 'webhook', channel: '1000000001' },
      { body: st('delivered', T0 + 250), origin: 'webhook', channel: '1000000001' },
    ]);
    expect(count(db, 'statuses')).toBe(2);
  });

  it('handles out-of-order deliveries: a reply before the message it answers, statuses before sent', () => {
    const reply = cloudText('wamid.R', '222222', T0 + 500, 'Yes', {
      context: { from: '15550001111', id: 'wamid.B' },
    });
    ingestPayloads(db, [{ body: reply, origin: 'webhook' }]);
    const st = (status: string, ts: number) => ({
      statuses: [{ id: 'wamid.B', status, timestamp: String(ts), recipient_id: '222222' }],
    });
    ingestPayloads(db, [{ body: st('read', T0 + 450), origin: 'webhook', channel: '1000000001' }]);
    ingestPayloads(db, [{ body: st('sent', T0 + 400), origin: 'webhook', channel: '1000000001' }]);
    ingestPayloads(db, [{ body: st('delivered', T0 + 420), origin: 'webhook', channel: '1000000001' }]);
    const out = db.prepare("SELECT direction, ts, contact_id FROM messages WHERE id = 'wamid.B'").get();
    expect(out).toEqual({ direction: 'out', ts: T0 + 400, contact_id: '222222' });
    expect(count(db, 'statuses')).toBe(3);
    const bn = db.prepare('SELECT first_message_at, last_message_at FROM business_numbers').get();
    expect(bn).toEqual({ first_message_at: T0 + 400, last_message_at: T0 + 500 });
  });

  it('maps a BSUID to its wa_id once seen together, and files BSUID-only contacts under bsuid:', () => {
    const onlyUser = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'w',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: '1000000001' },
                contacts: [{ user_id: 'US.9', profile: { name: 'Hidden' } }],
                messages: [
                  {
                    from_user_id: 'US.9',
                    id: 'wamid.U1',
                    timestamp: '1700000010',
                    type: 'text',
                    text: { body: 'a' },
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    ingestPayloads(db, [{ body: onlyUser, origin: 'webhook' }]);
    expect(db.prepare("SELECT contact_id FROM messages WHERE id = 'wamid.U1'").get()).toEqual({
      contact_id: 'bsuid:US.9',
    });
    const both = cloudText('wamid.U2', '333333', T0 + 20, 'b');
    (both.entry[0]!.changes[0]!.value.contacts[0] as Record<string, unknown>).user_id = 'US.9';
    ingestPayloads(db, [{ body: both, origin: 'webhook' }]);
    // The earlier message moved to the wa_id contact; the bsuid contact is gone.
    expect(db.prepare('SELECT id, contact_id FROM messages ORDER BY id').all()).toEqual([
      { id: 'wamid.U1', contact_id: '333333' },
      { id: 'wamid.U2', contact_id: '333333' },
    ]);
    expect(db.prepare('SELECT id, user_id FROM contacts').all()).toEqual([{ id: '333333', user_id: 'US.9' }]);
    // From now on a payload with only the user id maps to the wa_id.
    const later = structuredClone(onlyUser);
    later.entry[0]!.changes[0]!.value.messages[0]!.id = 'wamid.U3';
    ingestPayloads(db, [{ body: later, origin: 'webhook' }]);
    expect(db.prepare("SELECT contact_id FROM messages WHERE id = 'wamid.U3'").get()).toEqual({
      contact_id: '333333',
    });
  });

  it('rejects bad items without storing them, and stores the rest', () => {
    const r = ingestPayloads(db, [
      { body: { nonsense: true }, origin: 'import' },
      { body: cloudText('wamid.ok', '444444', T0 + 1, 'x'), origin: 'import' },
      {
        body: { messages: [{ id: 'm', from: '1', timestamp: '1700000001', type: 'text' }] },
        origin: 'import',
      },
    ]);
    expect(r.rejected.map((x) => x.index)).toEqual([0, 2]);
    expect(r.rejected[1]!.reason).toMatch(/channel/);
    expect(r.payloadIds[0]).toBeNull();
    expect(count(db, 'raw_payloads')).toBe(1);
    expect(count(db, 'messages')).toBe(1);
  });
});

describe('privacy', () => {
  it('erases a contact everywhere and rewrites shared raw payloads', () => {
    const shared = cloudText('wamid.E1', '4915100000001', T0 + 10, 'mine');
    const value = shared.entry[0]!.changes[0]!.value;
    value.contacts.push({ profile: { name: 'other' }, wa_id: '4915100000002' });
    value.messages.push({
      from: '4915100000002',
      id: 'wamid.E2',
      timestamp: '1700000011',
      type: 'text',
      text: { body: 'theirs' },
    });
    ingestPayloads(db, [
      { body: shared, origin: 'webhook' },
      { body: cloudText('wamid.E3', '4915100000001', T0 + 12, 'only mine'), origin: 'webhook' },
      {
        body: {
          statuses: [
            { id: 'wamid.O1', status: 'read', timestamp: '1700000013', recipient_id: '4915100000001' },
          ],
        },
        origin: 'webhook',
        channel: '1000000001',
      },
    ]);
    db.prepare(
      "INSERT INTO external_events (id, action, contact_id, ts, received_at, origin) VALUES ('ee1', 'Bought', '4915100000001', 1, 1, 'webhook')",
    ).run();
    addToQuarantine(db, {
      origin: 'webhook',
      channel: '1000000001',
      reason: 'x',
      contentType: null,
      body: Buffer.from('{"lead_phone": "+49 151 00000001"'),
    });
    addToQuarantine(db, {
      origin: 'webhook',
      channel: '1000000001',
      reason: 'x',
      contentType: null,
      body: Buffer.from('{"wa_id": "49151000000019"'),
    });

    const r = eraseContact(db, '+49 151 00000001');
    expect(r).toMatchObject({
      messages: 3,
      statuses: 1,
      externalEvents: 1,
      rawPayloadsDeleted: 2,
      rawPayloadsRewritten: 1,
      quarantine: 1,
      contacts: 1,
    });
    expect(db.prepare('SELECT id FROM messages').all()).toEqual([{ id: 'wamid.E2' }]);
    const remaining = db.prepare('SELECT body FROM raw_payloads').all() as { body: Buffer }[];
    expect(remaining).toHaveLength(1);
    const text = inflateSync(remaining[0]!.body).toString('utf8');
    expect(text).not.toContain('4915100000001');
    expect(text).toContain('4915100000002');
    expect(count(db, 'quarantine')).toBe(1); // the longer number is someone else's
  });

  it('drops raw bodies older than the retention and keeps derived rows', () => {
    ingestPayloads(db, [
      {
        body: cloudText('wamid.old', '555555', T0 + 1, 'old'),
        origin: 'import',
        receivedAt: Date.now() - 40 * 86_400_000,
      },
      { body: cloudText('wamid.new', '555555', T0 + 2, 'new'), origin: 'import' },
    ]);
    expect(applyRetention(db)).toBe(0);
    setRetentionDays(db, 30);
    expect(applyRetention(db)).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM raw_payloads WHERE body IS NULL').get()).toEqual({ n: 1 });
    expect(count(db, 'messages')).toBe(2);
    // A late re-delivery of the pruned payload is still recognised.
    const again = ingestPayloads(db, [
      { body: cloudText('wamid.old', '555555', T0 + 1, 'old'), origin: 'webhook' },
    ]);
    expect(again.duplicatePayloads).toBe(1);
  });
});
