import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../../../src/cli/index';
import { openDatabase } from '../../../src/core/db/open';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { eventsFault, type FakeCapi, type FakeCapiOptions, startFakeCapi } from '../../fakes/fake-capi';
import { throttled, tokenExpired } from '../../fakes/fake-graph';
import { testFixture } from '../../fakes/meta-fixture';
import { tempDir } from '../../helpers/core';
import { feed, PHONE, PHONE2, seed } from '../attribution/feed';

// `insights conversions …` run in-process against a real workspace and the fake Conversions API
// (INSIGHTS_GRAPH_URL): what a marketer reads, what a script parses, and errors in words with exit 2.

const WABA = '102290129340398';
const fixture = testFixture({
  permissions: ['ads_read', 'business_management', 'whatsapp_business_manage_events'],
});
const nowS = Math.floor(Date.now() / 1000);

let dataDir: string;
let fake: FakeCapi;
let out: string[];
let err: string[];

beforeEach(async () => {
  dataDir = tempDir('insights-capi-cli-');
  const db = seed(openDatabase(workspaceDbPath(dataDir, 'default')));
  db.prepare('UPDATE business_numbers SET waba_id = ? WHERE phone_number_id = ?').run(WABA, PHONE);
  const ad = (clid?: string) => ({
    source_type: 'ad',
    source_id: '77',
    headline: 'Spring',
    ...(clid ? { ctwa_clid: clid } : {}),
  });
  // Three ad conversations of the last two days, each with a lead ("Book now"); the third came from a
  // Status placement (no click id). One purchase with revenue in the first.
  feed(db, {
    messages: [
      { id: 'wamid.A1', ts: nowS - 2 * 86_400, text: 'hi', referral: ad('ARAclid1'), contact: '4911' },
      { id: 'wamid.A2', ts: nowS - 2 * 86_400 + 60, button: { text: 'Book now' }, contact: '4911' },
      { id: 'wamid.B1', ts: nowS - 86_400, text: 'hello', referral: ad('ARAclid2'), contact: '4922' },
      { id: 'wamid.B2', ts: nowS - 86_400 + 60, button: { text: 'Book now' }, contact: '4922' },
      { id: 'wamid.C1', ts: nowS - 3600, text: 'hey', referral: ad(), contact: '4933' },
      { id: 'wamid.C2', ts: nowS - 3600 + 60, button: { text: 'Book now' }, contact: '4933' },
    ],
    events: [
      {
        id: 'x1',
        action: 'Purchase',
        ts: nowS - 2 * 86_400 + 600,
        contact: '4911',
        amount: 49.9,
        currency: 'EUR',
      },
    ],
  });
  db.close();
  fake = await startFakeCapi({ fixture, wabas: [{ id: WABA }] });
  process.env.INSIGHTS_GRAPH_URL = fake.url;
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  delete process.env.INSIGHTS_GRAPH_URL;
  await fake.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const run = async (...args: string[]) => {
  out.length = 0;
  err.length = 0;
  await buildProgram()
    .exitOverride()
    .parseAsync(['node', 'insights', '--data-dir', dataDir, ...args]);
  return out.join('');
};
const json = async (...args: string[]) => JSON.parse(await run(...args, '--format', 'json'));

/** The real entry point, as `insights` runs it: the message on stderr and the exit code. */
async function exitOf(...args: string[]): Promise<{ code: number | undefined; stderr: string }> {
  err.length = 0;
  let code: number | undefined;
  vi.spyOn(process, 'exit').mockImplementation(((c?: number) => {
    code = c;
    throw new Error('exit');
  }) as never);
  await main(['node', 'insights', '--data-dir', dataDir, ...args]).catch(() => {});
  return { code, stderr: err.join('') };
}

/** A fresh fake Meta (same datasets) with faults or an EU restriction. */
async function restart(extra: Partial<FakeCapiOptions>): Promise<void> {
  const datasetId = fake.datasets.get(WABA);
  await fake.close();
  fake = await startFakeCapi({
    fixture,
    wabas: [{ id: WABA, ...(datasetId ? { datasetId } : {}) }],
    ...extra,
  });
  process.env.INSIGHTS_GRAPH_URL = fake.url;
}

/** Connected to the fake Meta, with the dataset found and both events mapped. */
async function ready(): Promise<void> {
  await run('meta', 'connect', '--token', fixture.token);
  await run('conversions', 'dataset', PHONE, '--create');
  await run('conversions', 'map', 'button:Book now', 'LeadSubmitted');
  await run('conversions', 'map', 'ext:Purchase', 'Purchase', '--value');
}

describe('insights conversions', () => {
  it('map, maps, map --remove', async () => {
    expect(await run('conversions', 'maps')).toMatch(/^No conversion event is sent to Meta yet/);
    expect(await run('conversions', 'map', 'button:Book now', 'LeadSubmitted')).toContain(
      'button:Book now is sent to Meta as LeadSubmitted.',
    );
    expect(err.join('')).toBe('');
    await run('conversions', 'map', 'ext:Purchase', 'Purchase');
    expect(err.join('')).toMatch(
      /^Note: Meta requires a value and currency with Purchase events: add --value/,
    );
    await run('conversions', 'map', 'ext:Purchase', 'QualifiedLead');
    expect(err.join('')).toMatch(
      /^Note: Meta lists QualifiedLead but refuses it .*2804066.*Accepted: Purchase, LeadSubmitted/,
    );
    await run('conversions', 'map', 'ext:Purchase', 'Purchase', '--value');
    const table = await run('conversions', 'maps');
    expect(table.split('\n')[0]).toMatch(/^event\s+label\s+sent to Meta as\s+value$/);
    expect(table).toMatch(/ext:Purchase\s.*Purchase\s+with revenue/);
    expect(
      (await json('conversions', 'maps')).map((m: { eventId: string; metaEvent: string; value: boolean }) => [
        m.eventId,
        m.metaEvent,
        m.value,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['button:Book now', 'LeadSubmitted', false],
        ['ext:Purchase', 'Purchase', true],
      ]),
    );
    expect(await run('conversions', 'map', '--remove', 'ext:Purchase')).toContain(
      'ext:Purchase is no longer sent to Meta.',
    );
    expect((await json('conversions', 'maps')).map((m: { eventId: string }) => m.eventId)).toEqual([
      'button:Book now',
    ]);
  });

  it('a bad Meta event name or phone number id: a sentence and exit code 2, nothing changed', async () => {
    const bad = await exitOf('conversions', 'map', 'button:Book now', 'Lead');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^insights: Meta event must be one of: Purchase, LeadSubmitted/);
    const noName = await exitOf('conversions', 'map', 'button:Book now');
    expect(noName).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/Name the event and the Meta event name/),
    });
    const phone = await exitOf('conversions', 'dataset', '+49 30 1234567');
    expect(phone.code).toBe(2);
    expect(phone.stderr).toMatch(/^insights: Phone number id must be the digits of the phone_number_id/);
    const state = await exitOf('conversions', 'list', '--state', 'lost');
    expect(state.code).not.toBe(0);
    expect(state.stderr).toMatch(/a state is one of pending, sent/);
    expect(await json('conversions', 'maps')).toEqual([]);
    expect(fake.log).toEqual([]);
  });

  it('dataset: finds or creates it through Graph, per number', async () => {
    await run('meta', 'connect', '--token', fixture.token);
    const created = await json('conversions', 'dataset', PHONE, '--create');
    expect(created).toMatchObject({ phoneNumberId: PHONE, wabaId: WABA, datasetId: fake.datasets.get(WABA) });
    expect(created.datasetId).toMatch(/^\d+$/);
    const text = await run('conversions', 'dataset', PHONE);
    expect(text).toContain(`WhatsApp Business Account:   ${WABA}`);
    expect(text).toContain(`Dataset:                     ${created.datasetId}`);
    // A number whose deliveries carry no WABA id: entered with --waba.
    const unknownWaba = await exitOf('conversions', 'dataset', PHONE2);
    expect(unknownWaba.code).toBe(2);
    expect(unknownWaba.stderr).toMatch(/WhatsApp Business Account of 1000000002 is not known yet.*--waba/);
    const badWaba = await exitOf('conversions', 'dataset', PHONE2, '--waba', 'act_1');
    expect(badWaba).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/WhatsApp Business Account id is digits/),
    });
    const other = '102290129340555';
    await fake.close();
    fake = await startFakeCapi({
      fixture,
      wabas: [{ id: WABA, datasetId: created.datasetId }, { id: other }],
    });
    process.env.INSIGHTS_GRAPH_URL = fake.url;
    const none = await exitOf('conversions', 'dataset', PHONE2, '--waba', other);
    expect(none).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(new RegExp(`${other} has no dataset yet.*--create`)),
    });
    const second = await json('conversions', 'dataset', PHONE2, '--waba', WABA);
    expect(second).toMatchObject({ phoneNumberId: PHONE2, wabaId: WABA, datasetId: created.datasetId });
  });

  it('enable, dry run (the JSON, nothing sent), send, status JSON, list by state, disable', async () => {
    await ready();
    expect(await run('conversions', 'enable')).toMatch(/^Sending to Meta is on/);

    const dry = await run('conversions', 'send', '--dry-run');
    const requests = JSON.parse(dry) as {
      datasetId: string;
      path: string;
      body: { data: Record<string, unknown>[] };
    }[];
    const datasetId = fake.datasets.get(WABA)!;
    expect(requests.map((r) => r.datasetId)).toEqual(requests.map(() => datasetId));
    expect(requests.map((r) => r.path)).toEqual(requests.map(() => `${datasetId}/events`));
    const sent = requests.flatMap((r) => r.body.data);
    expect(sent.map((e) => e.event_name).sort()).toEqual(['LeadSubmitted', 'LeadSubmitted', 'Purchase']);
    expect(sent.find((e) => e.event_name === 'Purchase')).toMatchObject({
      action_source: 'business_messaging',
      messaging_channel: 'whatsapp',
      user_data: { whatsapp_business_account_id: WABA, ctwa_clid: 'ARAclid1' },
      custom_data: { currency: 'EUR', value: 49.9 },
    });
    expect(dry).not.toContain(fixture.token);
    expect(err.join('')).toMatch(/Dry run: 3 event\(s\) in \d+ request\(s\) would be sent; nothing was sent/);
    expect(fake.eventRequests()).toEqual([]);
    const before = await json('conversions', 'status');
    expect(before).toEqual({
      pending: 3,
      sent: 0,
      failed: 0,
      rejected: 0,
      expired: 0,
      notSendable: 1,
      lastError: null,
    });

    const report = await run('conversions', 'send', '--test-code', 'TEST4242');
    expect(report).toMatch(/^Sent 3 event\(s\) to Meta in \d+ request\(s\)\./);
    expect(report).toMatch(/Sent\s+3\n/);
    expect(report).toMatch(/Not sendable\s+1\n/);
    expect(fake.ledger.events.map((e) => e.testEventCode)).toEqual(['TEST4242', 'TEST4242', 'TEST4242']);
    expect(fake.ledger.duplicates()).toEqual([]);
    // The dry run's events are the ones Meta received.
    expect([...fake.ledger.counts().keys()].sort()).toEqual(sent.map((e) => e.event_id).sort());

    const status = await json('conversions', 'status');
    expect(Object.keys(status)).toEqual([
      'pending',
      'sent',
      'failed',
      'rejected',
      'expired',
      'notSendable',
      'lastError',
    ]);
    expect(status).toMatchObject({ pending: 0, sent: 3, notSendable: 1 });
    expect(await run('conversions', 'status')).toMatch(/Sending to Meta:\s+on[\s\S]*Sent\s+3\n/);

    const all = await json('conversions', 'list');
    expect(all).toHaveLength(4);
    const onlySent = await json('conversions', 'list', '--state', 'sent');
    expect(onlySent.map((e: { state: string }) => e.state)).toEqual(['sent', 'sent', 'sent']);
    const table = await run('conversions', 'list', '--state', 'not-sendable');
    const lines = table.trim().split('\n');
    expect(lines[0]).toMatch(/^event_id\s+conversation\s+Meta event\s+event_time\s+state\s+error$/);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      /wamid\.C1\s+LeadSubmitted\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\s+not sendable\s+.*click id/,
    );
    expect(await run('conversions', 'list', '--state', 'failed')).toBe('(none)\n');

    // Sending again sends nothing new.
    expect(await run('conversions', 'send')).toMatch(/^Nothing was sent\./);
    expect(fake.ledger.events).toHaveLength(3);
    expect(await run('conversions', 'disable')).toMatch(/^Sending to Meta is off/);
    expect((await json('conversions', 'disable')).enabled).toBe(false);
  });

  it('enable --test-code sets the code; --test-code none removes it', async () => {
    expect(await run('conversions', 'enable', '--test-code', 'TEST99')).toContain('Test event code TEST99');
    expect(await json('conversions', 'maps')).toEqual([]);
    expect(await run('conversions', 'enable', '--test-code', 'none')).toContain('No test event code');
    const bad = await exitOf('conversions', 'enable', '--test-code', 'no spaces!');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/test event code is letters and digits/);
  });

  it('what Meta refuses or cannot take now is shown in words: throttled, EU region, login expired', async () => {
    await ready();
    await run('conversions', 'map', '--remove', 'ext:Purchase');
    await run('conversions', 'enable');
    await restart({ faults: [eventsFault(1, () => throttled(80004))] });
    const busy = await run('conversions', 'send');
    expect(busy).toMatch(/^Nothing was sent\.\n/);
    expect(busy).toMatch(/Failed \(retrying\)\s+2\n/);
    expect(busy).toMatch(/Last error: .+/);
    const failed = await json('conversions', 'status');
    expect(failed).toMatchObject({ pending: 0, failed: 2, sent: 0 });
    expect(failed.lastError).toEqual(expect.any(String));
    expect(await run('conversions', 'status')).toMatch(
      /Last errors:\n {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC {2}\S/,
    );
    expect(fake.ledger.events).toEqual([]);

    // A new mapping queues new entries; Meta refuses this account's events (EU).
    await restart({ wabas: [{ id: WABA, datasetId: fake.datasets.get(WABA)!, restricted: true }] });
    await run('conversions', 'map', 'ext:Purchase', 'Purchase', '--value');
    await run('conversions', 'send');
    const rejected = await run('conversions', 'list', '--state', 'rejected');
    expect(rejected).toMatch(
      /wamid\.A1\s+Purchase\s+.*rejected by Meta\s+.*Messaging Event Within Messaging Restrictive Region/,
    );
    expect((await json('conversions', 'status')).rejected).toBe(1);

    await run('conversions', 'map', 'text:hello', 'LeadSubmitted');
    await restart({ faults: [eventsFault(1, tokenExpired)] });
    await run('conversions', 'send');
    expect(await run('conversions', 'status')).toMatch(/Needs login:\s+yes/);
  });
});
