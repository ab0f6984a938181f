import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migratePg } from '../../../src/core/pg/migrate';
import { pgMigrations } from '../../../src/core/pg/migrations';
import { openPgStore, type PgStore } from '../../../src/core/pg/pool';
import { type ImportKind, importSqliteCollector } from '../../../src/core/pg/sqlite-import';
import { type CollectorUnderTest, sqliteBackend } from '../../helpers/collector-backend';
import { describePostgres, type PgCluster, startCluster } from '../../helpers/postgres';
import { textDelivery } from '../../helpers/webhook';

// `collector migrate` cut midway — by an error inside a batch's transaction (a power cut or a lost
// connection before COMMIT) and between two tables (the operator's Ctrl-C) — and run again: the second run
// copies exactly what the first did not, and the result equals one uninterrupted copy, row for row,
// including the SQLite positions desktops resume from.

const PHONE = '5550002';

describePostgres('collector migrate: interrupted and resumed', () => {
  let cluster: PgCluster;
  let source: CollectorUnderTest;

  beforeAll(async () => {
    cluster = await startCluster();
    source = await sqliteBackend.start();
    const channel = await source.addChannel({ phoneNumberId: PHONE });
    const apiKey = await source.createKey();
    await source.createToken('laptop');
    const post = (p: string, body: unknown, auth?: string) =>
      fetch(`${source.server.url}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    for (let i = 0; i < 12; i++) {
      const delivery = textDelivery({
        phoneNumberId: PHONE,
        waId: `4915200${String(i % 5).padStart(5, '0')}`,
        id: `wamid.resume.${i}`,
        ts: 1_764_000_000 + i * 60,
        body: `hello ${i}`,
      });
      expect((await post(`/webhooks/360dialog/${PHONE}`, delivery, `Bearer ${channel.secret}`)).status).toBe(
        200,
      );
    }
    // Quarantined: the table copied last.
    expect((await post(`/webhooks/360dialog/${PHONE}`, '{broken', `Bearer ${channel.secret}`)).status).toBe(
      400,
    );
    for (let i = 0; i < 3; i++)
      expect(
        (
          await post('/clients/c1/external-events', {
            api_key: apiKey,
            external_event: {
              action: 'Purchased an item',
              lead_phone: `+49 152 00${i}00001`,
              event_id: `ev-${i}`,
            },
          })
        ).status,
      ).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    cluster?.destroy();
  });

  const withStore = async <T>(url: string, fn: (s: PgStore) => Promise<T>) => {
    const store = openPgStore(url, { max: 2 });
    try {
      await migratePg(store, pgMigrations);
      return await fn(store);
    } finally {
      await store.close();
    }
  };

  /** Everything the copy wrote, in a comparable form (seq values differ between databases). */
  const contents = async (url: string) => {
    const pool = new pg.Pool({ connectionString: url });
    try {
      const q = async (text: string) => (await pool.query(text)).rows;
      return {
        payloads: await q(
          `SELECT encode(sha256, 'hex') AS k, received_at, body FROM raw_payloads ORDER BY seq`,
        ),
        events: await q('SELECT id, event_id, contact_id FROM external_events ORDER BY seq'),
        contacts: await q(
          `SELECT pc.contact_id, encode(p.sha256, 'hex') AS k FROM payload_contacts pc
           JOIN raw_payloads p ON p.workspace = pc.workspace AND p.seq = pc.payload_seq ORDER BY 1, 2`,
        ),
        positions: await q(
          'SELECT kind, sqlite_id, reissued FROM sqlite_import_rows ORDER BY kind, sqlite_id',
        ),
        quarantine: await q('SELECT origin, channel, reason, body FROM quarantine ORDER BY id'),
        directory: await q(
          `SELECT (SELECT count(*) FROM channels)::int AS ch, (SELECT count(*) FROM api_keys)::int AS k,
                  (SELECT count(*) FROM read_tokens)::int AS t`,
        ),
      };
    } finally {
      await pool.end();
    }
  };

  it('a cut inside a batch leaves nothing of it; a cut between tables resumes; the result equals one clean copy', async () => {
    const clean = await cluster.createDatabase();
    await withStore(clean, (s) => importSqliteCollector(s, source.core.dataDir));
    const expected = await contents(clean);
    expect(expected.payloads).toHaveLength(12);
    expect(expected.events).toHaveLength(3);

    const cut = await cluster.createDatabase();
    // 1. The events batch fails after its rows were inserted, before COMMIT.
    await expect(
      withStore(cut, (s) => {
        const failing: PgStore = {
          ...s,
          tx: (fn, mode) =>
            s.tx(async (c) => {
              const out = await fn(c);
              const copiedEvents = await c.query('SELECT count(*)::int AS n FROM external_events');
              if (copiedEvents.rows[0].n > 0) throw new Error('connection lost');
              return out;
            }, mode),
        };
        return importSqliteCollector(failing, source.core.dataDir);
      }),
    ).rejects.toThrow('connection lost');
    const afterCut = await contents(cut);
    expect(afterCut.payloads).toEqual(expected.payloads);
    expect(afterCut.events).toEqual([]);
    expect(afterCut.positions.filter((r) => r.kind === 'e')).toEqual([]);

    // 2. Resumed, then stopped again right after the events (before outgoing and quarantine).
    const stopAfter = (k: ImportKind) => (_ws: string, kind: ImportKind) => {
      if (kind === k) throw new Error('stopped by the operator');
    };
    await expect(
      withStore(cut, (s) => importSqliteCollector(s, source.core.dataDir, stopAfter('e'))),
    ).rejects.toThrow('stopped by the operator');

    // 3. Resumed to the end: the second half only, then nothing.
    const resumed = await withStore(cut, (s) => importSqliteCollector(s, source.core.dataDir));
    expect(resumed[0]!.copied).toEqual({ p: 0, e: 0, o: 0, x: 0, q: 1 });
    expect(await contents(cut)).toEqual(expected);
    const again = await withStore(cut, (s) => importSqliteCollector(s, source.core.dataDir));
    expect(again[0]!.read).toEqual({ p: 0, e: 0, o: 0, x: 0, q: 0 });
  }, 120_000);
});
