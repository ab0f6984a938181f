import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../../src/core/db/open';
import { eraseContact } from '../../../src/core/ingest/erase';
import { parseExternalEvent, storeExternalEvents } from '../../../src/core/ingest/external-events';
import { ingestPayloads } from '../../../src/core/ingest/ingest';
import { normalizePayload } from '../../../src/core/ingest/normalize';
import { tempDir } from '../../helpers/core';
import { conversations, events } from '../attribution/feed';

// Payloads as Meta sends them (tests/fixtures/webhooks/real/README.md names the reference page of each),
// through the real normalizer, ingestion and derivation.

const dir = path.join(__dirname, '../../fixtures/webhooks/real');
const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Record<string, unknown>;
const BSUID = 'US.13491208655302741918';
const GROUP = 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD';
const ANA = '4915123456789';

let db: Db;
beforeEach(() => {
  db = openDatabase(path.join(tempDir(), 'w.sqlite'));
});
afterEach(() => db.close());

const ingest = (...names: string[]) => {
  const r = ingestPayloads(
    db,
    names.map((n) => ({ body: fixture(n), origin: 'webhook' as const })),
  );
  expect(r.rejected).toEqual([]);
  return r;
};
const message = (id: string) =>
  db.prepare('SELECT * FROM messages WHERE id = ?').get(id) as Record<string, unknown> | undefined;
const contactIds = () =>
  (db.prepare('SELECT id FROM contacts ORDER BY id').pluck().all() as string[]).slice();

describe('real payloads', () => {
  it('item 12: a BSUID in from or wa_id stays a bsuid: contact, never a phone number', () => {
    const n = normalizePayload(fixture('bsuid_wa_id'));
    expect(n.ok && n.value.contacts[0]).toMatchObject({ waId: null, userId: BSUID });
    expect(n.ok && n.value.messages[0]).toMatchObject({ from: null, fromUserId: BSUID });
    ingest('bsuid_sender', 'bsuid_wa_id');
    expect(message('wamid.REAL.bsuid')?.contact_id).toBe(`bsuid:${BSUID}`);
    expect(message('wamid.REAL.bsuid2')?.contact_id).toBe(`bsuid:${BSUID}`);
    expect(contactIds()).toEqual([`bsuid:${BSUID}`]);
  });

  it('item 13: a Flow completion is a flow: source and a flow event, not a nameless reply:', () => {
    ingest('flow_completion');
    expect(message('wamid.REAL.flow')).toMatchObject({
      interactive_type: 'nfm_reply',
      interactive_id: 'flow',
      interactive_title: 'Sent',
      context_id: 'wamid.OUT.flow',
    });
    expect(
      JSON.parse(message('wamid.REAL.flow')?.extra as string).interactive.nfm_reply.response_json,
    ).toMatch(/lead-form-1/);
    expect(conversations(db).map((c) => c.source)).toEqual(['flow:flow']);
    const list = events(db, { phone: '1234567890', range: { from: '2024-11-20', to: '2024-11-30' } });
    expect(list.events.map((e) => [e.id, e.kind, e.leads])).toEqual([['flow:flow', 'flow', 1]]);
  });

  it('item 14: an empty message with errors is error-only; a delivery of errors alone is stored as errors', () => {
    ingest('interactive_unsupported', 'value_errors');
    expect(message('wamid.REAL.unsupported')).toMatchObject({ has_errors: 1, type: 'interactive' });
    expect(conversations(db)).toEqual([]);
    expect(db.prepare('SELECT phone_number_id, code, title, details FROM webhook_errors').all()).toEqual([
      {
        phone_number_id: '1234567890',
        code: '131000',
        title: 'Something went wrong',
        details: 'Unsupported webhook payload',
      },
    ]);
  });

  it('item 15: an edit neither starts nor extends a conversation; the original keeps its time and source', () => {
    db.prepare(
      "INSERT INTO attr_keywords (keyword, added_at) VALUES ('kw-summer', 0), ('kw-winter', 0)",
    ).run();
    ingest('edit_original', 'edit');
    expect(message('wamid.REAL.edit')).toMatchObject({ type: 'edit', text: 'Hi, I meant KW-WINTER' });
    expect(JSON.parse(message('wamid.REAL.edit')?.extra as string).edit.original_message_id).toBe(
      'wamid.REAL.original',
    );
    expect(conversations(db).map((c) => [c.first, c.source])).toEqual([
      ['wamid.REAL.original', 'kw:kw-summer'],
    ]);
    const c = db.prepare('SELECT messages, last_message_id FROM attr_conversations').get();
    expect(c).toEqual({ messages: 1, last_message_id: 'wamid.REAL.original' });
  });

  it('item 16: a group message keeps its group id and is no conversation', () => {
    ingest('group_message');
    expect(message('wamid.REAL.group')).toMatchObject({ group_id: GROUP, contact_id: ANA });
    expect(conversations(db)).toEqual([]);
  });

  it('item 17: a contact who changed number keeps history and attribution under the new number', () => {
    ingest('edit_original');
    db.prepare(
      `INSERT INTO external_events (id, action, contact_id, ts, received_at, origin)
       VALUES ('e1', 'Purchase', ?, 1732550400 + 7200, 0, 'test')`,
    ).run(ANA);
    ingest('user_changed_number');
    const NEW = '4915199999999';
    expect(message('wamid.REAL.original')?.contact_id).toBe(NEW);
    expect(db.prepare("SELECT contact_id FROM external_events WHERE id = 'e1'").pluck().get()).toBe(NEW);
    expect(contactIds()).toEqual([NEW]);
    expect(conversations(db).map((c) => [c.first, c.contact])).toEqual([['wamid.REAL.original', NEW]]);
    // A late delivery from the old number joins the same contact (and conversation).
    const late = fixture('edit_original');
    const value = (late.entry as { changes: { value: { messages: Record<string, unknown>[] } }[] }[])[0]!
      .changes[0]!.value;
    value.messages[0] = { ...value.messages[0], id: 'wamid.REAL.late', timestamp: String(1732550400 + 60) };
    ingestPayloads(db, [{ body: late, origin: 'webhook' }]);
    expect(message('wamid.REAL.late')?.contact_id).toBe(NEW);
    expect(contactIds()).toEqual([NEW]);
    expect(db.prepare('SELECT messages FROM attr_conversations').pluck().all()).toEqual([2]);
    // So does a later external event for the old number.
    storeExternalEvents(db, [
      {
        event: parseExternalEvent({ action: 'Lead', lead_phone: `+${ANA}`, timestamp: 1732550400 + 9000 }),
        options: { origin: 'webhook' },
      },
    ]);
    expect(db.prepare("SELECT contact_id FROM external_events WHERE action = 'Lead'").pluck().get()).toBe(
      NEW,
    );
  });

  it('item 19: statuses to a group or a BSUID keep the recipient and the participant', () => {
    ingest('status_group', 'status_bsuid');
    const rows = db
      .prepare(
        'SELECT message_id, recipient_id, recipient_type, recipient_participant_id, recipient_participant_user_id FROM statuses ORDER BY message_id',
      )
      .all();
    expect(rows).toEqual([
      {
        message_id: 'wamid.OUT.bsuid',
        recipient_id: `bsuid:${BSUID}`,
        recipient_type: null,
        recipient_participant_id: null,
        recipient_participant_user_id: null,
      },
      {
        message_id: 'wamid.OUT.group',
        recipient_id: GROUP,
        recipient_type: 'group',
        recipient_participant_id: ANA,
        recipient_participant_user_id: BSUID,
      },
    ]);
    // A group is no contact; the BSUID recipient is one.
    expect(contactIds()).toEqual([`bsuid:${BSUID}`]);
  });

  it('erasing a bare BSUID erases that contact and its group receipts, never the number of its digits', () => {
    ingest('bsuid_sender', 'status_group');
    // A contact whose number is the BSUID's digits must survive.
    ingestPayloads(db, [
      {
        body: {
          ...fixture('bsuid_sender'),
          entry: [
            {
              id: 'w',
              changes: [
                {
                  field: 'messages',
                  value: {
                    metadata: { phone_number_id: '1234567890' },
                    messages: [
                      {
                        from: '13491208655302741918',
                        id: 'wamid.digits',
                        timestamp: '1732550400',
                        type: 'text',
                        text: { body: 'x' },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
        origin: 'webhook',
      },
    ]);
    const erased = eraseContact(db, BSUID);
    expect(erased.contactIds).toEqual([`bsuid:${BSUID}`]);
    expect(message('wamid.REAL.bsuid')).toBeUndefined();
    expect(message('wamid.digits')?.contact_id).toBe('13491208655302741918');
    // The group receipt named them as participant.
    expect(db.prepare('SELECT count(*) FROM statuses').pluck().get()).toBe(0);
  });

  it('item 17: a replayed number change does not undo a later change back', () => {
    const change = (id: string, from: string, to: string, ts: number) => {
      const body = fixture('user_changed_number');
      const value = (body.entry as { changes: { value: { messages: Record<string, unknown>[] } }[] }[])[0]!
        .changes[0]!.value;
      value.messages[0] = {
        ...value.messages[0],
        id,
        from,
        timestamp: String(ts),
        system: { type: 'user_changed_number', wa_id: to, body: 'changed' },
      };
      return body;
    };
    ingest('edit_original');
    const first = change('wamid.c1', ANA, '4915199999999', 1732550400 + 100);
    ingestPayloads(db, [{ body: first, origin: 'webhook' }]);
    ingestPayloads(db, [
      { body: change('wamid.c2', '4915199999999', ANA, 1732550400 + 200), origin: 'webhook' },
    ]);
    expect(message('wamid.REAL.original')?.contact_id).toBe(ANA);
    // 360dialog re-sends the first change (at least once delivery), in a differently shaped body.
    const replay = structuredClone(first);
    (replay as { entry: { id: string }[] }).entry[0]!.id = 'other';
    ingestPayloads(db, [{ body: replay, origin: 'webhook' }]);
    expect(message('wamid.REAL.original')?.contact_id).toBe(ANA);
    expect(contactIds()).toEqual([ANA]);
  });
});
