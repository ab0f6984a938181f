import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fake360dialog, fakeTemplate, startFake360dialog } from '../../fakes/fake-360dialog';
import { makeTestCore, type TestCore } from '../../helpers/core';

let fake: Fake360dialog;
let core: TestCore;
let secret: string;

beforeAll(async () => {
  fake = await startFake360dialog({
    'key-1111': {
      templates: [
        fakeTemplate('summer_promo', 'en', ['Book now', 'Not now']),
        fakeTemplate('winter_promo', 'en', ['Not now']),
      ],
    },
  });
  core = makeTestCore();
  await core.call('dialog360.setSettings', { baseUrl: fake.url });
  secret = (await core.call('channels.add', { phoneNumberId: '1111100001', apiKey: 'key-1111' })).secret;
  await core.call('channels.add', { phoneNumberId: '3333300003', apiKey: 'revoked-key' });
});
afterAll(async () => {
  await core.close();
  await fake.close();
});

describe('360dialog contract methods against the fake', () => {
  it('settings: the workspace override wins and null restores the default chain', async () => {
    expect(await core.call('dialog360.settings', {})).toEqual({
      baseUrl: fake.url,
      effectiveBaseUrl: fake.url,
    });
    await expect(core.call('dialog360.setSettings', { baseUrl: 'ftp://x' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('channels.checkKey: stored key accepted, refused key reported, a typed key tested before saving', async () => {
    expect(await core.call('channels.checkKey', { channel: '1111100001' })).toEqual({
      channel: '1111100001',
      valid: true,
      status: 200,
      baseUrl: fake.url,
    });
    expect(await core.call('channels.checkKey', { channel: '3333300003' })).toMatchObject({
      valid: false,
      status: 401,
    });
    expect(await core.call('channels.checkKey', { channel: '4444400004', apiKey: 'key-1111' })).toMatchObject(
      {
        valid: true,
      },
    );
    await expect(core.call('channels.checkKey', { channel: '5555500005' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('channels.registerWebhook validates the URL before calling 360dialog', async () => {
    const before = fake.requests.length;
    for (const url of ['http://c.example.com', 'https://c.example.com:8443', 'https://my_host.example.com']) {
      await expect(
        core.call('channels.registerWebhook', { channel: '1111100001', url }),
      ).rejects.toMatchObject({
        code: 'invalid_argument',
        field: 'url',
      });
    }
    expect(fake.requests.length).toBe(before);
  });

  it('channels.registerWebhook sets the channel path with the channel secret as Bearer header; webhookStatus reads it', async () => {
    expect(await core.call('channels.webhookStatus', { channel: '1111100001' })).toEqual({
      channel: '1111100001',
      url: null,
      expectedPath: '/webhooks/360dialog/1111100001',
      pointsHere: false,
    });
    const r = await core.call('channels.registerWebhook', {
      channel: '1111100001',
      url: 'https://collector.example.com/',
    });
    expect(r).toEqual({
      channel: '1111100001',
      url: 'https://collector.example.com/webhooks/360dialog/1111100001',
      previousUrl: null,
    });
    expect(fake.numbers.get('key-1111')!.webhook).toEqual({
      url: 'https://collector.example.com/webhooks/360dialog/1111100001',
      headers: { Authorization: `Bearer ${secret}` },
    });
    expect(await core.call('channels.webhookStatus', { channel: '1111100001' })).toMatchObject({
      pointsHere: true,
    });
  });

  it('a refused key makes config calls fail as "forbidden"', async () => {
    await expect(core.call('channels.webhookStatus', { channel: '3333300003' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('templates.sync stores templates and buttons; templates.list returns them', async () => {
    expect(await core.call('templates.sync', { channel: '1111100001' })).toEqual({
      channel: '1111100001',
      templates: 2,
      buttons: 3,
    });
    const list = await core.call('templates.list', { channel: '1111100001' });
    expect(list.map((t) => [t.name, t.buttons.map((b) => b.text)])).toEqual([
      ['summer_promo', ['Book now', 'Not now']],
      ['winter_promo', ['Not now']],
    ]);
    expect(await core.call('templates.list', { channel: '9999900009' })).toEqual([]);
  });
});
