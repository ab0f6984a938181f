import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { type Fake360dialog, fakeTemplate, startFake360dialog } from '../../fakes/fake-360dialog';
import { tempDir } from '../../helpers/core';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';

// Issue 18 item 1: the same CLI for channels, keys and tokens against a PostgreSQL collector (--database):
// what collectors serve lives in PostgreSQL, the secrets this machine uses itself in its own secret store,
// and the 360dialog commands work on a channel kept there.

describePostgres('the CLI with --database', () => {
  let cluster: PgCluster;
  let fake: Fake360dialog;
  let url: string;
  const dataDir = tempDir();
  const out: string[] = [];
  const cli = async (...args: string[]) => {
    out.length = 0;
    await buildProgram()
      .exitOverride()
      .parseAsync(['node', 'insights', '--data-dir', dataDir, '--database', url, ...args]);
    return out.join('');
  };
  const json = async (...args: string[]) => JSON.parse(await cli(...args, '--format', 'json'));
  beforeAll(async () => {
    cluster = await startCluster();
    url = await cluster.createDatabase();
    fake = await startFake360dialog({ 'key-5': { templates: [fakeTemplate('promo', 'en', ['Yes', 'No'])] } });
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    cluster?.destroy();
  });
  beforeEach(() => {
    process.env.INSIGHTS_360DIALOG_URL = fake.url;
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.INSIGHTS_360DIALOG_URL;
  });

  it('adds, lists and removes channels, keys and tokens in PostgreSQL; a second workspace is its own', async () => {
    const ch = await json('channels', 'add', '5550005', '--name', 'Shop', '--api-key', 'key-5');
    expect(ch).toMatchObject({ id: '5550005', name: 'Shop', hasApiKey: true, secret: expect.any(String) });
    await expect(cli('channels', 'add', '5550005', '--workspace', 'client-b')).rejects.toThrow(
      /already set up/,
    );
    expect(await json('channels', 'list')).toMatchObject([{ id: '5550005' }]);
    expect(await json('channels', 'list', '--workspace', 'client-b')).toEqual([]);

    const key = await json('keys', 'create', '--name', 'shop');
    expect(key.key).toMatch(/^ik_/);
    await cli('keys', 'revoke', key.id);
    expect(await json('keys', 'list')).toMatchObject([{ id: key.id, revokedAt: expect.any(String) }]);

    const token = (await cli('collector', 'token', 'create', '--name', 'laptop')).trim();
    expect(token).toMatch(/^ict1\.default\./);
    const [listed] = await json('collector', 'token', 'list');
    await cli('collector', 'token', 'revoke', listed.id);
    expect(JSON.stringify(await json('collector', 'token', 'list'))).not.toContain(token);

    // The secret is shown once, never listed.
    const dump = await json('channels', 'list');
    expect(JSON.stringify(dump)).not.toContain(ch.secret);
  });

  it('registers the webhook with the secret from this machine, checks the key, fetches and lists templates, for a channel kept in PostgreSQL', async () => {
    const r = await cli('channels', 'register-webhook', '5550005', '--url', 'https://collector.example.com');
    expect(r).toContain('https://collector.example.com/webhooks/360dialog/5550005');
    const hook = fake.numbers.get('key-5')!.webhook;
    expect(hook.url).toBe('https://collector.example.com/webhooks/360dialog/5550005');
    expect(hook.headers.Authorization).toMatch(/^Bearer .{20,}/);
    expect(await cli('channels', 'webhook-status', '5550005')).toMatch(/5550005/);
    expect(await cli('channels', 'check-key', '5550005')).toContain('accepted');
    await cli('channels', 'templates', '5550005');
    expect(await json('channels', 'templates', '5550005', '--list')).toMatchObject([
      { channel: '5550005', name: 'promo', buttons: [{ text: 'Yes' }, { text: 'No' }] },
    ]);
    await cli('channels', 'remove', '5550005');
    expect(await json('channels', 'list')).toEqual([]);
  });
});
