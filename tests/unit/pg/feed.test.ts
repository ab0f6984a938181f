import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/core/ingest/json-body';
import { deflateBody, sha256 } from '../../../src/core/ingest/prepare';
import { type CollectorUnderTest, postgresBackend } from '../../helpers/collector-backend';
import { describePostgres } from '../../helpers/postgres';
import { textDelivery } from '../../helpers/webhook';

// Issue 18 item 3: with concurrent writers rows commit out of sequence order; a desktop that synced up to a
// cursor must still get every row committed later with a smaller sequence number — every row reaches every
// reader exactly once.

const PHONE = '5550001';
const delivery = (id: string, i: number) =>
  textDelivery({
    phoneNumberId: PHONE,
    waId: `4915100${String(i).padStart(5, '0')}`,
    id,
    ts: 1_764_000_000 + i,
    body: `m ${id}`,
  });
const idOf = (body: unknown) =>
  (body as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }).entry[0]!.changes[0]!.value
    .messages[0]!.id;

describePostgres('the PostgreSQL feed never skips a row committed late', () => {
  let col: CollectorUnderTest;
  let secret: string;
  let token: string;
  beforeAll(async () => {
    col = await postgresBackend.start({ pool: { max: 20 } });
    secret = (await col.addChannel({ phoneNumberId: PHONE })).secret;
    token = (await col.createToken('reader')).token;
  }, 120_000);
  afterAll(() => col?.close());

  const deliver = async (id: string, i: number) => {
    const r = await fetch(`${col.server.url}/webhooks/360dialog/${PHONE}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(delivery(id, i)),
    });
    expect(r.status).toBe(200);
  };

  /** One GET /v1/sync response: the message ids of its payloads, and where to resume. */
  const read = async (after: string | null, limit: number) => {
    const r = await fetch(`${col.server.url}/v1/sync?limit=${limit}${after ? `&after=${after}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(200);
    const lines = (await r.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; cursor?: string; body?: unknown; more?: boolean });
    const end = lines.at(-1)!;
    expect(end.type).toBe('end');
    return {
      ids: lines.filter((l) => l.type === 'payload').map((l) => idOf(l.body)),
      cursor: end.cursor!,
      more: end.more!,
    };
  };

  it('a row whose transaction commits after a later one is served after it, not skipped', async () => {
    const base = await read(null, 50_000);
    // Writer A takes its sequence number first and commits last.
    const a = new pg.Client({ connectionString: col.pg!.store.pool.options.connectionString });
    await a.connect();
    const text = canonicalJson(delivery('wamid.late', 1))!;
    await a.query('BEGIN');
    await a.query(
      `INSERT INTO raw_payloads (workspace, sha256, received_at, origin, format, channel, body, size)
       VALUES ('default', $1, $2, 'webhook', 'cloud', $3, $4, $5)`,
      [sha256(text), Date.now(), PHONE, deflateBody(text), Buffer.byteLength(text)],
    );
    await deliver('wamid.early', 2); // commits while A is still open
    const during = await read(base.cursor, 50_000);
    await a.query('COMMIT');
    await a.end();
    const after = await read(during.cursor, 50_000);
    expect([...during.ids, ...after.ids].sort()).toEqual(['wamid.early', 'wamid.late']);
    expect((await read(after.cursor, 50_000)).ids).toEqual([]);
  });

  it('8 concurrent writers and 4 concurrent readers: every row reaches every reader exactly once', async () => {
    const start = await read(null, 50_000);
    const WRITERS = 8;
    const EACH = 40;
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < EACH; i++) await deliver(`wamid.c.${w}.${i}`, 1000 + w * EACH + i);
      }),
    ).finally(() => {
      writing = false;
    });
    const reader = async (limit: number) => {
      const got: string[] = [];
      let cursor = start.cursor;
      for (;;) {
        const done = !writing; // read once more after the writers finished: that read must see everything
        const page = await read(cursor, limit);
        got.push(...page.ids);
        cursor = page.cursor;
        if (done && !page.more) return got;
      }
    };
    const [, ...seen] = await Promise.all([writers, reader(3), reader(7), reader(50), reader(1000)]);
    const all = Array.from({ length: WRITERS }, (_, w) =>
      Array.from({ length: EACH }, (_, i) => `wamid.c.${w}.${i}`),
    )
      .flat()
      .sort();
    for (const ids of seen) expect([...ids].sort()).toEqual(all);
  }, 120_000);
});
