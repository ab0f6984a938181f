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

  it("finds the number's user id (BSUID) in its payloads, erases what names only that id and its quarantined bodies", async () => {
    const { secret } = await col.addChannel({ phoneNumberId: '5550002' });
    const send = (body: unknown) =>
      fetch(`${col.server.url}/webhooks/360dialog/5550002`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const NUMBER = '491510000077';
    const BSUID = 'DE.1a2b3c4d5e';
    const withBoth = textDelivery({
      phoneNumberId: '5550002',
      waId: NUMBER,
      id: 'wamid.b1',
      ts: 1_764_000_100,
      body: 'a',
    }) as {
      entry: {
        changes: { value: { contacts: Record<string, unknown>[]; messages: Record<string, unknown>[] } }[];
      }[];
    };
    withBoth.entry[0]!.changes[0]!.value.contacts[0]!.user_id = BSUID;
    // Later the user hides the number: only the user id is delivered.
    const onlyId = structuredClone(withBoth);
    const v = onlyId.entry[0]!.changes[0]!.value;
    v.contacts = [{ profile: { name: 'Kunde' }, user_id: BSUID }];
    v.messages = [
      { from_user_id: BSUID, id: 'wamid.b2', timestamp: '1764000200', type: 'text', text: { body: 'b' } },
    ];
    const other = textDelivery({
      phoneNumberId: '5550002',
      waId: '491510000078',
      id: 'wamid.b3',
      ts: 1_764_000_300,
      body: 'c',
    });
    for (const b of [withBoth, onlyId, other]) expect((await send(b)).status).toBe(200);
    // Unreadable bodies naming the number (written with spaces) or the user id, and one naming neither.
    for (const b of [
      '{"to": "+49 151 000 0077", broken',
      `{"user": "${BSUID}" broken`,
      '{"to": "4915100000770" broken',
    ])
      expect((await send(b)).status).toBe(400);
    const quarantined = await col.count('quarantine');
    const payloads = await col.count('raw_payloads');

    // A desktop has all three.
    const desktop = makeTestCore();
    cores.push(desktop);
    await desktop.call('collector.configure', {
      url: col.server.url,
      token: (await col.createToken()).token,
    });
    await desktop.call('collector.sync', {});
    expect([has(desktop, 'wamid.b1'), has(desktop, 'wamid.b2'), has(desktop, 'wamid.b3')]).toEqual([1, 1, 1]);

    const r = await col.manage('contacts.erase', { phone: `+${NUMBER}` });
    expect(r.contactIds).toEqual([NUMBER, `bsuid:${BSUID}`]);
    expect(r).toMatchObject({ rawPayloadsDeleted: 2, quarantine: 2 });
    expect(await col.count('raw_payloads')).toBe(payloads - 2);
    expect(await col.count('quarantine')).toBe(quarantined - 2);
    const left = (await col.rows({
      sqlite: '',
      postgres: "SELECT convert_from(body, 'UTF8') AS b FROM quarantine",
    })) as {
      b: string;
    }[];
    expect(left.map((q) => q.b)).toContain('{"to": "4915100000770" broken');

    // The desktop that had both erases both at its next sync.
    await desktop.call('collector.sync', {});
    expect([has(desktop, 'wamid.b1'), has(desktop, 'wamid.b2'), has(desktop, 'wamid.b3')]).toEqual([0, 0, 1]);
  });
});
