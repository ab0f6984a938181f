import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../../src/core/ingest/json-body';
import { normalizePayload, phoneDigits } from '../../../src/core/ingest/normalize';

const dir = path.join(__dirname, '../../fixtures/webhooks');
const fixture = (format: 'cloud' | 'onprem', name: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, format, `${name}.json`), 'utf8')) as unknown;

const expected: Record<string, Record<string, unknown>> = {
  text: { type: 'text', text: 'Hi, I saw the promo KW-SUMMER' },
  button: {
    type: 'button',
    text: 'Yes please',
    buttonPayload: 'YES_PAYLOAD',
    buttonText: 'Yes please',
    contextId: 'wamid.OUT1',
    contextFrom: '15550001111',
  },
  interactive_button_reply: {
    type: 'interactive',
    text: 'Book now',
    interactiveType: 'button_reply',
    interactiveId: 'btn-1',
    interactiveTitle: 'Book now',
  },
  interactive_list_reply: {
    type: 'interactive',
    text: 'Premium',
    interactiveType: 'list_reply',
    interactiveId: 'row-2',
    interactiveTitle: 'Premium',
    interactiveDescription: 'The big one',
  },
  image: { type: 'image', text: 'Look at KW-PHOTO' },
  audio: { type: 'audio', text: null },
  video: { type: 'video', text: 'Video caption' },
  document: { type: 'document', text: 'My document' },
  sticker: { type: 'sticker', text: null },
  location: { type: 'location', text: null },
  contacts: { type: 'contacts', text: null },
  reaction: { type: 'reaction', text: null },
  order: { type: 'order', text: 'Please deliver fast' },
  system: { type: 'system', text: 'User A changed from 4915123456789 to 4915199999999' },
  unsupported: { type: 'unsupported', hasErrors: true },
  referral: { type: 'text', referralSourceType: 'ad', referralSourceId: '120226305854810726' },
};

describe.each(['cloud', 'onprem'] as const)('normalizer, %s format', (format) => {
  const channel = format === 'onprem' ? '1234567890' : undefined;
  it.each(Object.keys(expected))('reads a %s message', (name) => {
    const r = normalizePayload(fixture(format, name), { channel });
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    if (!r.ok) return;
    expect(r.value.format).toBe(format);
    expect(r.value.numbers.map((n) => n.phoneNumberId)).toEqual(['1234567890']);
    expect(r.value.contacts).toEqual([
      { phoneNumberId: '1234567890', waId: '4915123456789', userId: null, name: 'Ana' },
    ]);
    expect(r.value.messages).toHaveLength(1);
    const m = r.value.messages[0]!;
    expect(m).toMatchObject({
      id: `wamid.IN.${name}`,
      from: '4915123456789',
      phoneNumberId: '1234567890',
      ...expected[name],
    });
    expect(m.ts).toBeGreaterThanOrEqual(1732550400);
  });

  it('keeps type-specific content and every referral field', () => {
    const loc = normalizePayload(fixture(format, 'location'), { channel });
    expect(loc.ok && loc.value.messages[0]!.extra).toEqual({
      location: { latitude: 52.52, longitude: 13.405, name: 'Berlin', address: 'Alexanderplatz' },
    });
    const reaction = normalizePayload(fixture(format, 'reaction'), { channel });
    expect(reaction.ok && reaction.value.messages[0]!.extra).toEqual({
      reaction: { message_id: 'wamid.OUT4', emoji: '❤️' },
    });
    const ref = normalizePayload(fixture(format, 'referral'), { channel });
    expect(ref.ok && ref.value.messages[0]!.referral).toMatchObject({
      ctwa_clid: expect.stringMatching(/^ARAk/),
      welcome_message: { text: 'Hi there!' },
      source_url: 'https://fb.me/abc',
      headline: 'Summer sale',
    });
  });

  it.each(['status_sent', 'status_delivered', 'status_read', 'status_failed'])('reads %s', (name) => {
    const r = normalizePayload(fixture(format, name), { channel });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.value.statuses[0]!;
    expect(s.status).toBe(name.slice(7));
    expect(s.recipientId).toBe('4915123456789');
    if (name === 'status_sent') {
      expect(s).toMatchObject({
        conversationId: 'conv-1',
        conversationOrigin: 'marketing',
        conversationExpiration: 1732550400 + 86400,
      });
      expect(s.pricing).toMatchObject({ pricing_model: 'CBP' });
    }
    if (name === 'status_failed') expect(s.errors).toEqual([expect.objectContaining({ code: 131026 })]);
  });

  it('reads top-level errors', () => {
    const r = normalizePayload(fixture(format, 'errors'), { channel });
    expect(r.ok && r.value.errors).toEqual([
      expect.objectContaining({ code: format === 'cloud' ? '131000' : '1000', title: expect.any(String) }),
    ]);
  });
});

describe('normalizer edge cases', () => {
  it('needs a channel for On-Premise payloads', () => {
    const r = normalizePayload(fixture('onprem', 'text'));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/channel/) });
  });

  it('reads several entries, changes, messages and statuses in one delivery', () => {
    const one = fixture('cloud', 'text') as {
      entry: { changes: { value: { messages: unknown[]; statuses?: unknown[] } }[] }[];
    };
    const value = one.entry[0]!.changes[0]!.value;
    value.messages.push({ ...(value.messages[0] as object), id: 'wamid.second' });
    value.statuses = [{ id: 'wamid.x', status: 'read', timestamp: '1700000001', recipient_id: '1555' }];
    const two = {
      ...one,
      entry: [
        one.entry[0],
        {
          id: 'w2',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: '9990001' },
                messages: [
                  { from: '1', id: 'wamid.third', timestamp: 1700000005, type: 'text', text: { body: 'x' } },
                ],
              },
            },
          ],
        },
      ],
    };
    const r = normalizePayload(two);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.messages.map((m) => [m.id, m.phoneNumberId])).toEqual([
      ['wamid.IN.text', '1234567890'],
      ['wamid.second', '1234567890'],
      ['wamid.third', '9990001'],
    ]);
    expect(r.value.statuses).toHaveLength(1);
    expect(r.value.numbers.map((n) => n.phoneNumberId)).toEqual(['1234567890', '9990001']);
  });

  it('accepts numbers as strings and strings as numbers', () => {
    const r = normalizePayload({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 102290129340398,
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { display_phone_number: 15550001111, phone_number_id: 1234567890 },
                contacts: [{ profile: { name: 'Ana' }, wa_id: 4915123456789 }],
                messages: [
                  {
                    from: 4915123456789,
                    id: 'wamid.n',
                    timestamp: 1732550400123,
                    type: 'text',
                    text: { body: 'hi' },
                  },
                ],
                statuses: [
                  {
                    id: 'wamid.s',
                    status: 'read',
                    timestamp: ' 1732550400 ',
                    recipient_id: '+49 151 23456789',
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    if (!r.ok) return;
    expect(r.value.numbers[0]).toEqual({
      phoneNumberId: '1234567890',
      displayNumber: '15550001111',
      wabaId: '102290129340398',
    });
    expect(r.value.messages[0]).toMatchObject({ from: '4915123456789', ts: 1732550400 });
    expect(r.value.statuses[0]).toMatchObject({ ts: 1732550400, recipientId: '4915123456789' });
  });

  it('names the offending field of a wrong type', () => {
    const body = fixture('cloud', 'text') as {
      entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[];
    };
    body.entry[0]!.changes[0]!.value.messages[0]!.timestamp = 'yesterday';
    const r = normalizePayload(body);
    expect(r).toEqual({
      ok: false,
      error: expect.stringContaining('entry[0].changes[0].value.messages[0].timestamp'),
    });
    body.entry[0]!.changes[0]!.value.messages[0]!.timestamp = '1';
    body.entry[0]!.changes[0]!.value.messages[0]!.text = 'not an object';
    expect(normalizePayload(body).ok).toBe(false);
  });

  it('refuses unknown shapes and non-objects with a clear message', () => {
    expect(normalizePayload({ hello: 'world' })).toEqual({
      ok: false,
      error: expect.stringMatching(/unknown shape/),
    });
    expect(normalizePayload([1, 2])).toEqual({ ok: false, error: expect.stringMatching(/JSON object/) });
    expect(normalizePayload(null).ok).toBe(false);
    expect(normalizePayload({ object: 'page', entry: [] })).toEqual({
      ok: false,
      error: expect.stringMatching(/whatsapp_business_account/),
    });
  });

  it('keeps unicode, emoji and right-to-left names as delivered', () => {
    const body = fixture('cloud', 'text') as {
      entry: { changes: { value: { contacts: { profile: { name: string } }[] } }[] }[];
    };
    body.entry[0]!.changes[0]!.value.contacts[0]!.profile.name = 'مريم 👩🏽‍💻 Zoë';
    const r = normalizePayload(body);
    expect(r.ok && r.value.contacts[0]!.name).toBe('مريم 👩🏽‍💻 Zoë');
  });

  it('maps BSUID-only contacts', () => {
    const r = normalizePayload({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'w',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: '1000000001' },
                contacts: [{ user_id: 'US.123', profile: { name: 'Hidden' } }],
                messages: [{ id: 'm', timestamp: '1700000001', type: 'text', text: { body: 'hi' } }],
              },
            },
          ],
        },
      ],
    });
    expect(r.ok && r.value.messages[0]).toMatchObject({ from: null, fromUserId: 'US.123' });
    expect(
      normalizePayload(
        { messages: [{ id: 'm', timestamp: '1700000001', type: 'text' }] },
        { channel: '1000000001' },
      ),
    ).toEqual({
      ok: false,
      error: expect.stringMatching(/no sender/),
    });
  });

  it('normalises phone numbers to digits', () => {
    expect(phoneDigits('+49 (151) 234-5678')).toBe('491512345678');
    expect(phoneDigits('0049 151 2345678')).toBe('491512345678');
    expect(phoneDigits('abc')).toBeNull();
  });

  it('never throws on arbitrary JSON (property)', () => {
    const anyJson = fc.jsonValue({ maxDepth: 6 });
    const shaped = fc.record({
      object: fc.oneof(fc.constant('whatsapp_business_account'), fc.string()),
      entry: fc.array(
        fc.record({
          id: fc.jsonValue(),
          changes: fc.array(fc.record({ field: fc.jsonValue(), value: anyJson })),
        }),
      ),
    });
    const onprem = fc.record({
      messages: fc.array(
        fc.dictionary(
          fc.constantFrom('id', 'from', 'timestamp', 'type', 'text', 'interactive', 'referral', 'context'),
          anyJson,
        ),
      ),
      contacts: anyJson,
      statuses: anyJson,
    });
    fc.assert(
      fc.property(
        fc.oneof(anyJson, shaped, onprem),
        fc.option(fc.string(), { nil: undefined }),
        (body, channel) => {
          const r = normalizePayload(body, { channel });
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses deeply nested and truncated JSON text without throwing', () => {
    const deep = `${'['.repeat(100000)}${']'.repeat(100000)}`;
    expect(parseJsonText(deep)).toEqual({ ok: false, error: expect.stringMatching(/nested deeper/) });
    expect(parseJsonText('{"object": "whatsapp_business_account", "entry": [')).toEqual({
      ok: false,
      error: expect.stringMatching(/malformed JSON/),
    });
    expect(parseJsonText('')).toEqual({ ok: false, error: expect.stringMatching(/empty/) });
  });
});
