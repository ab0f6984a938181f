import { afterEach, expect, it } from 'vitest';
import { storeTemplates } from '../../../src/core/dialog360/templates';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { makeTestCore, type TestCore } from '../../helpers/core';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

const PHONE = '111000111';
const reply = (id: string, from: string, ts: number, payload: string, text: string) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: 'waba',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550001111', phone_number_id: PHONE },
            contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
            messages: [
              {
                from,
                id,
                timestamp: String(ts),
                type: 'button',
                button: { payload, text },
                context: { from: '15550001111', id: `biz-${id}` },
              },
            ],
          },
        },
      ],
    },
  ],
});
const buttons = (...texts: string[]) => [
  { type: 'BODY', text: 'Hi' },
  { type: 'BUTTONS', buttons: texts.map((text) => ({ type: 'QUICK_REPLY', text })) },
];

it('names a reply: source by the one template whose quick-reply button has its text; the id stays reply:', async () => {
  core = makeTestCore();
  const ts = Math.floor(Date.parse('2026-11-10T10:00:00Z') / 1000);
  const db = core.db();
  ingestPayloads(db, [
    { body: reply('m1', '4911', ts, 'YES_PAYLOAD', 'Yes, book me'), origin: 'import' },
    { body: reply('m2', '4912', ts + 60, 'MAYBE', 'Maybe later'), origin: 'import' },
  ]);
  storeTemplates(db, PHONE, [
    {
      name: 'autumn_booking',
      language: 'en',
      status: 'APPROVED',
      category: 'MARKETING',
      components: buttons('Yes, book me', 'No'),
    },
    {
      name: 'autumn_booking',
      language: 'de',
      status: 'APPROVED',
      category: 'MARKETING',
      components: buttons('Yes, book me'),
    },
    {
      name: 'reminder_a',
      language: 'en',
      status: 'APPROVED',
      category: 'UTILITY',
      components: buttons('Maybe later'),
    },
    {
      name: 'reminder_b',
      language: 'en',
      status: 'APPROVED',
      category: 'UTILITY',
      components: buttons('Maybe later'),
    },
  ]);
  const report = await core.call('report.get', {
    phone: PHONE,
    range: { from: '2026-11-01', to: '2026-11-20' },
    timezone: 'UTC',
  });
  const byId = new Map(report.sources.map((s) => [s.id, s.name]));
  // One template (in two languages) has the button: its name. Two templates share "Maybe later": the button text.
  expect(byId.get('reply:YES_PAYLOAD')).toBe('autumn_booking');
  expect(byId.get('reply:MAYBE')).toBe('Maybe later');
});
