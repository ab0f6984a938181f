import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../../src/core/server/server';
import { type Fake360dialog, fakeTemplate, startFake360dialog } from '../../fakes/fake-360dialog';
import { type CollectorUnderTest, describeEachBackend } from '../../helpers/collector-backend';

// Every deriveChanges call is recorded with whether it ran inside a transaction.
const derived = vi.hoisted(() => [] as { outgoingIds: string[]; inTransaction: boolean }[]);
vi.mock('../../../src/core/attribution/derive', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../../src/core/attribution/derive')>();
  return {
    ...orig,
    deriveChanges: (
      db: import('../../../src/core/db/open').Db,
      changes: Parameters<typeof orig.deriveChanges>[1],
    ) => {
      derived.push({ outgoingIds: [...changes.outgoingIds], inTransaction: db.inTransaction });
      return orig.deriveChanges(db, changes);
    },
  };
});

describeEachBackend('send proxy', (backend) => {
  let fake: Fake360dialog;
  let col: CollectorUnderTest;
  let server: RunningServer;
  let secret: string;
  let secretNoKey: string;

  beforeAll(async () => {
    fake = await startFake360dialog({
      'key-1111': {
        templates: [
          fakeTemplate('summer_promo', 'en', ['Book now', 'Not now'], [{ type: 'URL', text: 'Shop' }]),
        ],
      },
    });
    col = await backend.start();
    await col.setBaseUrl(fake.url);
    secret = (await col.addChannel({ phoneNumberId: '1111100001', apiKey: 'key-1111' })).secret;
    secretNoKey = (await col.addChannel({ phoneNumberId: '2222200002' })).secret; // no API key
    await col.receivers.call('templates.sync', 'default', { channel: '1111100001' });
    server = col.server;
  });
  afterAll(async () => {
    await col.close();
    await fake.close();
  });

  const post = (channel: string, body: unknown, auth?: string) =>
    fetch(`${server.url}/messages/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify(body),
    });

  const COLUMNS = 'id, phone_number_id, contact_id, template_name, buttons, origin FROM outgoing_messages';
  const outgoing = async () =>
    (await col.rows({
      sqlite: `SELECT ${COLUMNS} ORDER BY rowid`,
      postgres: `SELECT ${COLUMNS} ORDER BY seq`,
    })) as {
      id: string;
      phone_number_id: string;
      contact_id: string;
      template_name: string | null;
      buttons: string;
      origin: string;
    }[];

  describe('POST /messages/:channel (send proxy) over real HTTP', () => {
    const template = {
      messaging_product: 'whatsapp',
      to: '+49 151 2345678',
      type: 'template',
      template: {
        name: 'summer_promo',
        language: { code: 'en' },
        components: [
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '0',
            parameters: [{ type: 'payload', payload: 'BOOK' }],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '1',
            parameters: [{ type: 'payload', payload: 'LATER' }],
          },
        ],
      },
    };

    it('refuses a missing or wrong channel secret with 401 and forwards nothing', async () => {
      expect((await post('1111100001', template)).status).toBe(401);
      expect((await post('1111100001', template, 'Bearer wrong')).status).toBe(401);
      expect((await post('9999900009', template, `Bearer ${secret}`)).status).toBe(401);
      expect(fake.sent).toHaveLength(0);
      expect(await outgoing()).toHaveLength(0);
    });

    it("forwards a template with the channel's key, answers 360dialog's body as is, records id, template and buttons", async () => {
      derived.length = 0;
      const res = await post('1111100001', template, `Bearer ${secret}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      const sent = fake.sent.at(-1)!;
      expect(sent.apiKey).toBe('key-1111');
      expect(sent.body).toEqual(template);
      expect(JSON.parse(text)).toEqual({
        messaging_product: 'whatsapp',
        contacts: [{ input: '+49 151 2345678', wa_id: '491512345678' }],
        messages: [{ id: sent.id }],
      });
      expect(await outgoing()).toEqual([
        {
          id: sent.id,
          phone_number_id: '1111100001',
          contact_id: '491512345678',
          template_name: 'summer_promo',
          buttons: JSON.stringify([
            { title: 'Book now', id: 'BOOK' },
            { title: 'Not now', id: 'LATER' },
          ]),
          origin: 'send-proxy',
        },
      ]);
      // Derivation (SQLite: the collector derives) saw the new outgoing id inside the transaction that stored it.
      if (backend.kind === 'sqlite')
        expect(derived).toContainEqual({ outgoingIds: [sent.id], inTransaction: true });
    });

    it('records interactive reply buttons and list rows', async () => {
      const buttons = {
        messaging_product: 'whatsapp',
        to: '4915199999',
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Pick one' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'b-1', title: 'Gold' } },
              { type: 'reply', reply: { id: 'b-2', title: 'Silver' } },
            ],
          },
        },
      };
      const list = {
        messaging_product: 'whatsapp',
        to: '4915199999',
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Menu' },
          action: {
            button: 'Open',
            sections: [{ title: 'A', rows: [{ id: 'r-1', title: 'Premium', description: 'x' }] }],
          },
        },
      };
      expect((await post('1111100001', buttons, `Bearer ${secret}`)).status).toBe(200);
      expect((await post('1111100001', list, `Bearer ${secret}`)).status).toBe(200);
      const [b, l] = (await outgoing()).slice(-2);
      expect(b).toMatchObject({
        template_name: null,
        buttons: JSON.stringify([
          { title: 'Gold', id: 'b-1' },
          { title: 'Silver', id: 'b-2' },
        ]),
      });
      expect(l).toMatchObject({ buttons: JSON.stringify([{ title: 'Premium', id: 'r-1' }]) });
    });

    it('refuses what 360dialog cannot take with a 400, forwarding nothing (deep nesting, arrays, no recipient)', async () => {
      const before = fake.requests.length;
      const deep = `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`;
      const raw = await fetch(`${server.url}/messages/1111100001`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: `{"messaging_product":"whatsapp","to":"4915100000042","type":"text","text":${deep}}`,
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toMatchObject({
        error: { message: expect.stringContaining('nested deeper') },
      });
      for (const body of [
        [{ messaging_product: 'whatsapp', to: '4915100000042', type: 'text', text: { body: 'x' } }],
        { messaging_product: 'whatsapp', type: 'text', text: { body: 'no recipient' } },
        { messaging_product: 'sms', to: '4915100000042', type: 'text', text: { body: 'x' } },
        { messaging_product: 'whatsapp', to: '4915100000042', type: 7 },
      ]) {
        const res = await post('1111100001', body, `Bearer ${secret}`);
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      expect(fake.requests.length).toBe(before);
    });

    it("passes 360dialog's refusal through unchanged and records nothing", async () => {
      const before = (await outgoing()).length;
      const res = await post('1111100001', { to: '49151' }, `Bearer ${secret}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, fbtrace_id: 'fake' },
      });
      expect(await outgoing()).toHaveLength(before);
    });

    it('a channel without an API key gets a clear 400 naming the fix; a wrong secret still gets 401 first', async () => {
      expect(
        (await post('2222200002', { messaging_product: 'whatsapp', to: '1' }, 'Bearer wrong')).status,
      ).toBe(401);
      const res = await post(
        '2222200002',
        { messaging_product: 'whatsapp', to: '1' },
        `Bearer ${secretNoKey}`,
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { code: 'invalid_argument', field: 'apiKey', message: expect.stringContaining('API key') },
      });
    });
  });

  describe('send proxy and templates not fetched yet', () => {
    it('fetches the templates in the background and completes the buttons of the recorded message', async () => {
      fake.numbers.get('key-1111')!.templates.push(fakeTemplate('autumn_sale', 'de', ['Ja, gerne', 'Nein']));
      const body = {
        messaging_product: 'whatsapp',
        to: '4915100000042',
        type: 'template',
        template: {
          name: 'autumn_sale',
          language: { code: 'de' },
          components: [
            {
              type: 'button',
              sub_type: 'quick_reply',
              index: 0,
              parameters: [{ type: 'payload', payload: 'YES' }],
            },
          ],
        },
      };
      const res = await post('1111100001', body, `Bearer ${secret}`);
      expect(res.status).toBe(200);
      const id = ((await res.json()) as { messages: { id: string }[] }).messages[0]!.id;
      const row = async () =>
        (
          (await col.rows({
            sqlite: `SELECT template_name, buttons FROM outgoing_messages WHERE id = '${id}'`,
            postgres: `SELECT template_name, buttons FROM outgoing_messages WHERE id = '${id}'`,
          })) as { template_name: string; buttons: string }[]
        )[0]!;
      expect((await row()).template_name).toBe('autumn_sale');
      await vi.waitFor(async () => expect((await row()).buttons).not.toBe('[]'), {
        timeout: 20_000,
        interval: 50,
      });
      expect(JSON.parse((await row()).buttons)).toEqual([
        { title: 'Ja, gerne', id: 'YES' },
        { title: 'Nein', id: null },
      ]);
      // On PostgreSQL they are kept in its templates table (the buttons above came from there).
      if (backend.kind === 'sqlite')
        expect(
          (await col.core.call('templates.list', { channel: '1111100001' })).map((t) => t.name),
        ).toContain('autumn_sale');
    });
  });
});
