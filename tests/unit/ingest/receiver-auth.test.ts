import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { outgoingFromRow } from '../../../src/core/ingest/import-files';
import { normalizePayload } from '../../../src/core/ingest/normalize';
import { type RunningServer, startServer } from '../../../src/core/server/server';
import { isPhoneNumberId } from '../../../src/shared/contract/phone-number-id';
import { makeTestCore, type TestCore } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// Issue 14, items 6 and 8: a channel's secret writes its own number only, phone number ids are
// digits of a plausible length wherever they are accepted, and an unknown channel answers like a
// wrong secret.

// The route's hash comparison, counted (a timing cannot be asserted in a unit test; the work done can).
const compared = vi.hoisted(() => ({ fn: null as unknown as ReturnType<typeof vi.fn> }));
vi.mock('../../../src/core/ingest/channels', async (original) => {
  const real = await original<typeof import('../../../src/core/ingest/channels')>();
  compared.fn = vi.fn(real.hashesEqual);
  return { ...real, hashesEqual: compared.fn };
});

const MAIN = '1234567890';
const OTHER = '9999999999';
const JUNK = ['x', '-1', '0', '1'.repeat(400), '12a45678', ' ', '0012345678'];

let core: TestCore;
let server: RunningServer;
let secret: string;

const hook = (channel: string, body: unknown, token: string) =>
  fetch(`${server.url}/webhooks/360dialog/${encodeURIComponent(channel)}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
const delivery = (phoneNumberId: string, id: string) =>
  textDelivery({ phoneNumberId, waId: '4915123456789', id, ts: 1_764_000_000, body: 'hi' });
const count = (sql: string) => (core.db().prepare(sql).get() as { n: number }).n;

beforeAll(async () => {
  core = makeTestCore();
  server = await startServer({ host: core.host, apiToken: null, port: 0 });
  secret = (await core.call('channels.add', { phoneNumberId: MAIN })).secret;
  await core.call('channels.add', { phoneNumberId: OTHER });
});

afterAll(async () => {
  await server.close();
  await core.close();
});

describe("a channel's secret writes its own number only", () => {
  it('refuses a body naming another configured number: 400, quarantined with the reason, nothing stored', async () => {
    const r = await hook(MAIN, delivery(OTHER, 'wamid.FOREIGN'), secret);
    expect(r.status).toBe(400);
    const message = ((await r.json()) as { error: { message: string } }).error.message;
    expect(message).toContain(`${OTHER} is not the channel ${MAIN}`);
    expect(count("SELECT count(*) AS n FROM messages WHERE id = 'wamid.FOREIGN'")).toBe(0);
    expect(count(`SELECT count(*) AS n FROM business_numbers WHERE phone_number_id = '${OTHER}'`)).toBe(0);
    const q = await core.call('quarantine.list', {});
    const shown = await core.call('quarantine.show', { id: q.items.at(-1)!.id });
    expect(shown.reason).toContain(`${OTHER} is not the channel ${MAIN}`);
    expect(shown.channel).toBe(MAIN);
    // The same delivery on its own channel's path is not refused by the check (the secret is, here).
    expect((await hook(MAIN, delivery(MAIN, 'wamid.OWN'), secret)).status).toBe(200);
  });

  it('refuses a delivery where a second entry names another number, and stores none of it', async () => {
    const body = delivery(MAIN, 'wamid.MIXED.1') as { entry: unknown[] };
    body.entry.push((delivery(OTHER, 'wamid.MIXED.2') as { entry: unknown[] }).entry[0]);
    expect((await hook(MAIN, body, secret)).status).toBe(400);
    expect(count("SELECT count(*) AS n FROM messages WHERE id LIKE 'wamid.MIXED.%'")).toBe(0);
  });

  it.each(JUNK)('refuses the junk phone_number_id %j in a body: 400, nothing stored', async (junk) => {
    const before = count('SELECT count(*) AS n FROM business_numbers');
    const r = await hook(MAIN, delivery(junk, 'wamid.JUNK'), secret);
    expect(r.status).toBe(400);
    expect(count("SELECT count(*) AS n FROM messages WHERE id = 'wamid.JUNK'")).toBe(0);
    expect(count('SELECT count(*) AS n FROM business_numbers')).toBe(before);
  });
});

describe('a phone number id is digits of a plausible length everywhere it is accepted', () => {
  it('one rule: 5 to 20 digits, no sign, no leading zero', () => {
    for (const ok of ['12345', MAIN, '109876543210001', '1'.repeat(20)])
      expect(isPhoneNumberId(ok)).toBe(true);
    for (const bad of [...JUNK, '1234', '1'.repeat(21), 'P1', '1234567890 '])
      expect(isPhoneNumberId(bad)).toBe(false);
  });

  it.each(JUNK)('channels.add refuses %j with a message naming the field', async (junk) => {
    await expect(core.call('channels.add', { phoneNumberId: junk })).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'phoneNumberId',
    });
  });

  it('the importer refuses a junk --channel and a payload whose metadata names a junk number', async () => {
    await expect(
      core.call('import.files', { files: ['/nonexistent.ndjson'], channel: '-1' }),
    ).rejects.toMatchObject({ code: 'invalid_argument', field: 'channel' });
    const r = normalizePayload(delivery('x', 'wamid.N'));
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toMatch(/metadata\.phone_number_id/);
  });

  it("a send log's phone_number_id follows the same rule", () => {
    const row = { message_id: 'wamid.S', to: '4915123456789', template_name: 't' };
    expect(outgoingFromRow({ ...row, phone_number_id: MAIN }, undefined).phoneNumberId).toBe(MAIN);
    expect(() => outgoingFromRow({ ...row, phone_number_id: '0' }, undefined)).toThrow(
      /phone_number_id Meta shows/,
    );
    expect(() => outgoingFromRow(row, 'x')).toThrow(/phone_number_id Meta shows/);
  });
});

describe('an unknown channel answers exactly like a wrong secret', () => {
  it('same status, same body, for an unknown id, a malformed id and a wrong secret', async () => {
    const body = delivery(MAIN, 'wamid.ENUM');
    const answers = await Promise.all(
      [
        hook('5550001', body, secret), // no such channel
        hook('not-a-number', body, secret), // cannot be a channel
        hook(MAIN, body, 'wrong-secret'), // known channel, wrong secret
        hook(OTHER, body, secret), // known channel, another channel's secret
      ].map(async (p) => {
        const r = await p;
        return { status: r.status, body: await r.text() };
      }),
    );
    expect(answers[0]!.status).toBe(401);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(count("SELECT count(*) AS n FROM messages WHERE id = 'wamid.ENUM'")).toBe(0);
  });

  it('compares the secret with a hash for an unknown channel too (no early return that skips it)', async () => {
    const body = delivery(MAIN, 'wamid.TIMING');
    compared.fn.mockClear();
    await hook('5550002', body, secret);
    const unknown = compared.fn.mock.calls.length;
    compared.fn.mockClear();
    await hook(MAIN, body, 'wrong-secret');
    const wrong = compared.fn.mock.calls.length;
    expect(unknown).toBeGreaterThan(0);
    expect(unknown).toBe(wrong);
  });
});
