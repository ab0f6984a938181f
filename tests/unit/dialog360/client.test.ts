import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/core/db/open';
import { setSetting } from '../../../src/core/db/settings';
import { DEFAULT_360DIALOG_URL, Dialog360Client, dialog360BaseUrl } from '../../../src/core/dialog360/client';
import { type Fake360dialog, fakeTemplate, startFake360dialog } from '../../fakes/fake-360dialog';
import { tempDir } from '../../helpers/core';

let fake: Fake360dialog;
beforeAll(async () => {
  fake = await startFake360dialog({
    'key-a': {
      templates: Array.from({ length: 620 }, (_, i) => fakeTemplate(`tpl_${i}`, 'en', [`Yes ${i}`])),
    },
  });
});
afterAll(() => fake.close());

const client = (apiKey: string) => new Dialog360Client({ baseUrl: fake.url, apiKey });

describe('Dialog360Client against a fake 360dialog', () => {
  it('checks a key with D360-API-KEY: accepted key valid, wrong key 401 → invalid', async () => {
    expect(await client('key-a').checkKey()).toEqual({ valid: true, status: 200 });
    expect(await client('wrong').checkKey()).toEqual({ valid: false, status: 401 });
    const last = fake.requests.at(-1)!;
    expect(last).toMatchObject({ method: 'GET', path: '/v1/configs/webhook', apiKey: 'wrong' });
  });

  it('reads and sets the webhook with its headers', async () => {
    expect(await client('key-a').getWebhook()).toEqual({ url: null });
    await client('key-a').setWebhook('https://collector.example.com/webhooks/360dialog/111', {
      Authorization: 'Bearer s3cret',
    });
    expect(fake.numbers.get('key-a')!.webhook).toEqual({
      url: 'https://collector.example.com/webhooks/360dialog/111',
      headers: { Authorization: 'Bearer s3cret' },
    });
    expect(await client('key-a').getWebhook()).toEqual({
      url: 'https://collector.example.com/webhooks/360dialog/111',
    });
  });

  it('a refused key on a config call is a "forbidden" error naming the key, never showing it', async () => {
    const err = await client('wrong-key-value')
      .getWebhook()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', code: 'forbidden', field: 'apiKey' });
    expect((err as Error).message).not.toContain('wrong-key-value');
  });

  it('fetches every template across limit/offset pages', async () => {
    const templates = await client('key-a').getTemplates();
    expect(templates).toHaveLength(620);
    expect(templates[619]).toMatchObject({
      name: 'tpl_619',
      language: 'en',
      status: 'approved',
      category: 'MARKETING',
    });
    const pages = fake.requests.filter((r) => r.path.startsWith('/v1/configs/templates'));
    expect(pages.map((r) => r.path)).toEqual([
      '/v1/configs/templates?limit=500&offset=0',
      '/v1/configs/templates?limit=500&offset=500',
    ]);
  });

  it('an unreachable 360dialog is "unavailable" with the host named', async () => {
    const c = new Dialog360Client({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });
    await expect(c.checkKey()).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('127.0.0.1:1'),
    });
  });
});

describe('dialog360BaseUrl', () => {
  const saved = process.env.INSIGHTS_360DIALOG_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.INSIGHTS_360DIALOG_URL;
    else process.env.INSIGHTS_360DIALOG_URL = saved;
  });

  it('defaults to waba-v2, INSIGHTS_360DIALOG_URL overrides, a workspace setting overrides both', () => {
    delete process.env.INSIGHTS_360DIALOG_URL;
    expect(dialog360BaseUrl()).toBe(DEFAULT_360DIALOG_URL);
    expect(DEFAULT_360DIALOG_URL).toBe('https://waba-v2.360dialog.io');
    process.env.INSIGHTS_360DIALOG_URL = 'http://127.0.0.1:9999/';
    expect(dialog360BaseUrl()).toBe('http://127.0.0.1:9999');
    const db = openDatabase(path.join(tempDir(), 'db.sqlite'));
    expect(dialog360BaseUrl(db)).toBe('http://127.0.0.1:9999');
    setSetting(db, 'dialog360.baseUrl', 'https://sandbox.example.com');
    expect(dialog360BaseUrl(db)).toBe('https://sandbox.example.com');
    db.close();
  });
});
