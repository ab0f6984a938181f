import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CoreHost } from '../../../src/core/host/host';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { type Fake360dialog, startFake360dialog } from '../../fakes/fake-360dialog';
import { makeTestCore, type TestCore, tempDir, workerHost } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// The collector as `insights serve` runs it: lane worker threads, secrets answered by the host thread.

let fake: Fake360dialog;
let host: CoreHost;
let server: RunningServer;
let desktop: TestCore;

beforeAll(async () => {
  fake = await startFake360dialog({ 'key-w': {} });
  const dataDir = tempDir();
  host = workerHost(dataDir);
  server = await startServer({ host, apiToken: 'x' });
  desktop = makeTestCore();
});
afterAll(async () => {
  await server.close();
  await host.close();
  await desktop.close();
  await fake.close();
});

it('webhook in, send proxy out, then a desktop pulls both from a worker-thread collector', async () => {
  await host.call('dialog360.setSettings', 'default', { baseUrl: fake.url });
  const { secret } = await host.call('channels.add', 'default', {
    phoneNumberId: '4242400042',
    apiKey: 'key-w',
  });
  const hook = await fetch(`${server.url}/webhooks/360dialog/4242400042`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify(
      textDelivery({
        phoneNumberId: '4242400042',
        displayPhoneNumber: '15550004242',
        waId: '4917600000',
        id: 'wamid.w1',
        ts: 1_764_000_000,
        body: 'Hi',
        name: 'Lea',
      }),
    ),
  });
  expect(hook.status).toBe(200);
  const sent = await fetch(`${server.url}/messages/4242400042`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({
      messaging_product: 'whatsapp',
      to: '4917600000',
      type: 'text',
      text: { body: 'Hello Lea' },
    }),
  });
  expect(sent.status).toBe(200);
  const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]!.id;
  expect(fake.sent.map((s) => s.apiKey)).toEqual(['key-w']);

  const { token } = await host.call('collector.tokens.create', 'default', {});
  await desktop.call('collector.configure', { url: server.url, token });
  expect(await desktop.call('collector.sync', {})).toEqual({
    payloads: 1,
    duplicatePayloads: 0,
    events: 0,
    outgoing: 1,
    erased: 0,
    skipped: 0,
    conversions: 0,
    handedOver: 0,
  });
  expect(desktop.db().prepare('SELECT id FROM messages WHERE direction = ?').all('in')).toEqual([
    { id: 'wamid.w1' },
  ]);
  expect(desktop.db().prepare('SELECT id, contact_id, origin FROM outgoing_messages').all()).toEqual([
    { id, contact_id: '4917600000', origin: 'send-proxy' },
  ]);
});
