import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/cli/index';
import { type CollectorUnderTest, postgresBackend } from '../../helpers/collector-backend';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { describePostgres } from '../../helpers/postgres';
import { textDelivery } from '../../helpers/webhook';

// `insights erase <phone> --database …` on a PostgreSQL collector: the contact leaves its store, and each
// desktop erases it at its next sync (as with a SQLite collector, tests/unit/collector/sync.test.ts).

const PHONE = '5550001';
const ERASED = '491510000001';
const KEPT = '491510000002';

describePostgres('erase on a PostgreSQL collector', () => {
  let col: CollectorUnderTest;
  let url: string;
  const cores: TestCore[] = [];
  beforeAll(async () => {
    url = await (await postgresBackend.cluster!()).createDatabase();
    col = await postgresBackend.start({ databaseUrl: url });
  }, 120_000);
  afterAll(async () => {
    for (const c of cores) await c.close();
    await col?.close();
  });
  const has = (core: TestCore, id: string) =>
    (core.db().prepare('SELECT count(*) AS n FROM messages WHERE id = ?').get(id) as { n: number }).n;

  it('removes the contact from the store, logs the erasure, and desktops erase it at their next sync', async () => {
    const { secret } = await col.addChannel({ phoneNumberId: PHONE });
    const token = (await col.createToken()).token;
    const deliver = async (waId: string, id: string) => {
      const r = await fetch(`${col.server.url}/webhooks/360dialog/${PHONE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(textDelivery({ phoneNumberId: PHONE, waId, id, ts: 1_764_000_000, body: id })),
      });
      expect(r.status).toBe(200);
    };
    await deliver(ERASED, 'wamid.x1');
    await deliver(KEPT, 'wamid.k1');
    const desktop = makeTestCore();
    cores.push(desktop);
    await desktop.call('collector.configure', { url: col.server.url, token });
    expect(await desktop.call('collector.sync', {})).toMatchObject({ payloads: 2 });

    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await buildProgram()
        .exitOverride()
        .parseAsync([
          'node',
          'insights',
          '--data-dir',
          col.core.dataDir,
          '--database',
          url,
          'erase',
          `+${ERASED}`,
        ]);
    } finally {
      vi.restoreAllMocks();
    }
    expect(await col.count('raw_payloads')).toBe(1);
    await deliver(ERASED, 'wamid.x2'); // writes again after the erasure: kept

    expect(await desktop.call('collector.sync', {})).toMatchObject({ payloads: 1, erased: 1 });
    expect([has(desktop, 'wamid.x1'), has(desktop, 'wamid.k1'), has(desktop, 'wamid.x2')]).toEqual([0, 1, 1]);
    const fresh = makeTestCore();
    cores.push(fresh);
    await fresh.call('collector.configure', { url: col.server.url, token });
    expect(await fresh.call('collector.sync', {})).toMatchObject({ payloads: 2, erased: 0 });
    expect(has(fresh, 'wamid.x1')).toBe(0);
  });
});
