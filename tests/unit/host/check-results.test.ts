import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allHandlers } from '../../../src/core/entry/handlers';
import { CoreHost } from '../../../src/core/host/host';
import type { Handlers } from '../../../src/core/kernel/context';
import { JsonPrefsStore } from '../../../src/core/prefs/prefs-store';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store';

// Development builds and tests check every result against its contract schema; production does not.

const dirs: string[] = [];
const hosts: CoreHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** keywords.list answers a row without its keyword: what a broken handler would send. */
function hostWithBrokenHandler(checkResults?: boolean): CoreHost {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-check-'));
  dirs.push(dir);
  const handlers = {
    ...allHandlers,
    'keywords.list': () => [{ source: 42 }],
  } as unknown as Handlers;
  const host = new CoreHost({
    dataDir: dir,
    mode: 'browser',
    version: 'test',
    secrets: new FileSecretStore(path.join(dir, 'secrets.json')),
    prefs: new JsonPrefsStore(path.join(dir, 'preferences.json')),
    runner: { kind: 'inline', handlers, internal: {} },
    ...(checkResults === undefined ? {} : { checkResults }),
  });
  hosts.push(host);
  return host;
}

describe('result checks', () => {
  it('fail a call whose result breaks its contract, naming the method and the place', async () => {
    await expect(hostWithBrokenHandler(true).call('keywords.list', 'default', {})).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringMatching(/^keywords\.list returned a result its contract does not allow at 0\./),
    });
  });

  it('are on in the tests by default (INSIGHTS_CHECK_RESULTS=1 in vitest.config.ts)', async () => {
    expect(process.env.INSIGHTS_CHECK_RESULTS).toBe('1');
    await expect(hostWithBrokenHandler().call('keywords.list', 'default', {})).rejects.toMatchObject({
      code: 'internal',
    });
  });

  it('are off in production: the value passes through untouched', async () => {
    await expect(hostWithBrokenHandler(false).call('keywords.list', 'default', {})).resolves.toEqual([
      { source: 42 },
    ]);
  });

  it('pass a good result through as the handler made it, host-lane methods included', async () => {
    const host = hostWithBrokenHandler(true);
    await expect(host.call('prefs.get', 'default', {})).resolves.toBeTypeOf('object');
    await expect(host.call('jobs.list', 'default', {})).resolves.toEqual([]);
  });
});
