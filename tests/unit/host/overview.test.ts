import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/core/db/open';
import type { CoreHost } from '../../../src/core/host/host';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { tempDir, workerHost } from '../../helpers/core';
import { feed, PHONE, seed } from '../attribution/feed';

// overview.get reads every workspace on the host's pool of worker threads: one row per workspace, in
// name order, and a workspace that cannot be read shows its error instead of failing the overview.

let host: CoreHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

function workspace(dataDir: string, name: string, conversations: number, currency = 'USD'): void {
  fs.mkdirSync(path.dirname(workspaceDbPath(dataDir, name)), { recursive: true });
  const db = seed(openDatabase(workspaceDbPath(dataDir, name)), { currency });
  const today = Math.floor(Date.now() / 1000) - 3600;
  feed(db, {
    messages: Array.from({ length: conversations }, (_, i) => ({
      id: `${name}-${i}`,
      ts: today - i * 60,
      contact: `c${i}`,
      text: 'hello',
    })),
  });
  db.close();
}

describe('overview.get', () => {
  it('reads every workspace side by side and reports one that cannot be read', async () => {
    const dataDir = tempDir();
    workspace(dataDir, 'acme', 3);
    workspace(dataDir, 'bravo', 2, 'EUR');
    workspace(dataDir, 'charlie', 1);
    fs.mkdirSync(path.dirname(workspaceDbPath(dataDir, 'broken')), { recursive: true });
    fs.writeFileSync(workspaceDbPath(dataDir, 'broken'), 'this is not a database, '.repeat(200));
    host = workerHost(dataDir);
    // Listing the workspaces (three of their own) starts the pool's warm reading beside the overview.
    expect(await host.call('workspaces.list', undefined, {})).toHaveLength(4);
    const { workspaces } = await host.call('overview.get', undefined, { range: { preset: '7d' } });
    expect(workspaces.map((w) => [w.workspace, w.overview?.figures.conversations ?? null])).toEqual([
      ['acme', 3],
      ['bravo', 2],
      ['broken', null],
      ['charlie', 1],
    ]);
    expect(workspaces[1]!.overview).toMatchObject({ numbers: 2, currency: 'EUR' });
    expect(workspaces[1]!.overview!.figures.money.map((m) => m.currency)).toEqual(['EUR']);
    expect(workspaces[2]!.error).toMatch(/./);
    expect(workspaces[0]!.overview!.range.to).toBe(workspaces[3]!.overview!.range.to);
    // The suggested event (text:hello, a lead in every conversation), unless one is remembered for the number.
    expect(workspaces[0]!.overview!.figures).toMatchObject({ leads: 3, conversionRate: 1 });
    const withEvent = await host.call('overview.get', undefined, {
      range: { preset: '7d' },
      eventByPhone: { [PHONE]: 'text:bye' },
    });
    expect(withEvent.workspaces[0]!.overview!.figures).toMatchObject({ leads: 0, conversionRate: 0 });
  }, 30_000);

  it('answers an empty data folder with no rows', async () => {
    host = workerHost(tempDir());
    expect(await host.call('overview.get', undefined, { range: { preset: '30d' } })).toEqual({
      workspaces: [],
    });
  });
});
