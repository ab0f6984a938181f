import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseButtons } from '../../../src/core/ingest/import-files';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';

const fixtures = path.join(__dirname, '../../fixtures/webhooks');
const fixture = (format: 'cloud' | 'onprem', name: string) =>
  JSON.parse(fs.readFileSync(path.join(fixtures, format, `${name}.json`), 'utf8'));

let core: TestCore;
let dir: string;
const write = (name: string, content: string | Buffer) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
};
const n = (sql: string) => (core.db().prepare(sql).get() as { n: number }).n;

beforeAll(() => {
  core = makeTestCore();
  dir = tempDir('insights-import-');
});
afterAll(async () => {
  await core.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('import.files', () => {
  it('imports NDJSON of webhook payloads, reports bad lines by number, and is re-runnable', async () => {
    const lines = [
      JSON.stringify(fixture('cloud', 'text')),
      '',
      '{"object": "whatsapp_business_account", "entry": [',
      JSON.stringify(fixture('cloud', 'button')),
      JSON.stringify({ hello: 1 }),
      JSON.stringify(fixture('cloud', 'status_sent')),
    ];
    const file = write('hooks.ndjson', `${lines.join('\n')}\n`);
    const r = await core.call('import.files', { files: [file] });
    expect(r.files[0]).toMatchObject({
      kind: 'webhooks',
      lines: 6,
      payloads: 3,
      messages: 2,
      statuses: 1,
      bad: 2,
    });
    expect(r.errors.map((e) => e.line)).toEqual([3, 5]);
    expect(r.errors[0]!.reason).toMatch(/malformed JSON/);
    expect(r.errors[1]!.reason).toMatch(/unknown shape/);
    const again = await core.call('import.files', { files: [file] });
    expect(again.files[0]).toMatchObject({ payloads: 0, duplicatePayloads: 3, messages: 0 });
    expect(n('SELECT count(*) AS n FROM raw_payloads')).toBe(3);
  });

  it('imports a gzipped JSON array, and On-Premise payloads with --channel', async () => {
    const arr = [fixture('onprem', 'image'), fixture('onprem', 'location')];
    const file = write('onprem.json.gz', gzipSync(JSON.stringify(arr, null, 2)));
    const noChannel = await core.call('import.files', { files: [file] });
    expect(noChannel.files[0]).toMatchObject({ kind: 'webhooks', payloads: 0, bad: 2 });
    expect(noChannel.errors[0]).toMatchObject({ line: 1, reason: expect.stringMatching(/channel/) });
    const r = await core.call('import.files', { files: [file], channel: '4200042' });
    expect(r.files[0]).toMatchObject({ payloads: 2, messages: 2, bad: 0 });
    expect(
      core.db().prepare("SELECT phone_number_id FROM messages WHERE id = 'wamid.IN.location'").get(),
    ).toEqual({ phone_number_id: '4200042' });
  });

  it('imports pretty-printed JSON bodies one after another', async () => {
    const file = write(
      'pretty.json',
      `${JSON.stringify(fixture('cloud', 'sticker'), null, 2)}\n${JSON.stringify(fixture('cloud', 'audio'), null, 2)}`,
    );
    const r = await core.call('import.files', { files: [file] });
    expect(r.files[0]).toMatchObject({ kind: 'webhooks', lines: 2, payloads: 2, messages: 2, bad: 0 });
  });

  it('imports a CSV of external events, idempotently', async () => {
    const csv = [
      'lead_phone,action,timestamp,revenue_amount,revenue_currency,app_id,event_id,previous_external_event_id',
      '+49 151 2345678,Purchased,2026-11-20T10:00:00+01:00,10.5,EUR,,,',
      '"+49 (151) 2345679",Lead,1795168800,,,15550001111,ev-1,',
      '4915100,Purchased,2026-11-20T10:00:00,1,EUR,,,',
      '+4915100000,Purchased,,5,ABC,,,',
    ].join('\r\n');
    const file = write('events.csv', csv);
    const r = await core.call('import.files', { files: [file] });
    expect(r.files[0]).toMatchObject({ kind: 'external-events', events: 2, duplicateEvents: 0, bad: 2 });
    expect(r.errors.filter((e) => e.file === file).map((e) => [e.line, e.reason.split(':')[0]])).toEqual([
      [4, 'row.timestamp'],
      [5, 'row.revenue.currency'],
    ]);
    const again = await core.call('import.files', { files: [file] });
    expect(again.files[0]).toMatchObject({ events: 0, duplicateEvents: 2 });
    expect(
      core
        .db()
        .prepare(
          "SELECT contact_id, ts, revenue_amount, revenue_currency FROM external_events WHERE action = 'Purchased'",
        )
        .get(),
    ).toEqual({
      contact_id: '491512345678',
      ts: 1795165200,
      revenue_amount: 10.5,
      revenue_currency: 'EUR',
    });
  });

  it('imports a send log (CSV and NDJSON) that names outgoing messages', async () => {
    const csv = write(
      'sends.csv',
      'message_id,to,template_name,sent_at,buttons\nwamid.OUT1,+49 151 23456789,summer_promo,2026-11-20T09:00:00Z,Book now|btn-1;Not now|btn-2\nwamid.OUT2,4915123456789,,1795164000,\n,123,x,,\n',
    );
    const ndjson = write(
      'sends.ndjson',
      `${JSON.stringify({ message_id: 'wamid.OUT3', to: '4915123456789', template_name: 'reminder', buttons: [{ title: 'Yes', id: 'y' }] })}\n`,
    );
    const r = await core.call('import.files', { files: [csv, ndjson] });
    expect(r.files.map((f) => [f.kind, f.outgoing, f.bad])).toEqual([
      ['send-log', 2, 1],
      ['send-log', 1, 0],
    ]);
    const row = core.db().prepare("SELECT * FROM outgoing_messages WHERE id = 'wamid.OUT1'").get() as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({
      contact_id: '4915123456789',
      template_name: 'summer_promo',
      sent_at: 1795165200,
      origin: 'send-log',
    });
    expect(JSON.parse(row.buttons as string)).toEqual([
      { title: 'Book now', id: 'btn-1' },
      { title: 'Not now', id: 'btn-2' },
    ]);
    const again = await core.call('import.files', { files: [csv, ndjson] });
    expect(again.files.map((f) => f.outgoing)).toEqual([0, 0]);
  });

  it('reports progress as a job and erases a contact through the contract', async () => {
    const progress: (number | null)[] = [];
    const off = core.host.onEvent((e) => {
      if (e.type === 'job' && e.job.kind === 'import') progress.push(e.job.progress);
    });
    const lines = Array.from({ length: 2500 }, (_, i) => {
      const b = fixture('cloud', 'text');
      b.entry[0].changes[0].value.messages[0].id = `wamid.many.${i}`;
      b.entry[0].changes[0].value.messages[0].from = '4917000000001';
      b.entry[0].changes[0].value.contacts[0].wa_id = '4917000000001';
      return JSON.stringify(b);
    });
    const r = await core.call('import.files', { files: [write('many.ndjson', lines.join('\n'))] });
    off();
    expect(r.files[0]).toMatchObject({ payloads: 2500, messages: 2500 });
    expect(progress.at(-1)).toBe(1);
    expect(progress.some((p) => p !== null && p > 0 && p < 1)).toBe(true);
    const erased = await core.call('contacts.erase', { phone: '+49 170 00000001' });
    expect(erased).toMatchObject({ contactIds: ['4917000000001'], messages: 2500, rawPayloadsDeleted: 2500 });
    expect(n("SELECT count(*) AS n FROM messages WHERE contact_id = '4917000000001'")).toBe(0);
    expect(await core.call('ingest.settings.get', {})).toEqual({ rawRetentionDays: null });
    expect(await core.call('ingest.settings.set', { rawRetentionDays: 30 })).toEqual({
      rawRetentionDays: 30,
      pruned: 0,
    });
    await expect(core.call('ingest.settings.set', { rawRetentionDays: 0 })).rejects.toThrow(
      /^Raw retention days must be at least 1$/,
    );
  }, 90_000);

  it('a cancelled import keeps what it committed and simply runs again', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => {
      const b = fixture('cloud', 'text');
      b.entry[0].changes[0].value.messages[0].id = `wamid.cancel.${i}`;
      return JSON.stringify(b);
    });
    const file = write('cancel.ndjson', lines.join('\n'));
    const off = core.host.onEvent((e) => {
      if (e.type === 'job' && e.job.state === 'running' && (e.job.progress ?? 0) > 0)
        void core.host.call('jobs.cancel', undefined, { id: e.job.id });
    });
    await expect(core.call('import.files', { files: [file] })).rejects.toThrow(/cancelled/);
    off();
    const kept = n("SELECT count(*) AS n FROM messages WHERE id LIKE 'wamid.cancel.%'");
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(3000);
    const again = await core.call('import.files', { files: [file] });
    expect(again.files[0]).toMatchObject({ payloads: 3000 - kept, duplicatePayloads: kept });
    expect(n("SELECT count(*) AS n FROM messages WHERE id LIKE 'wamid.cancel.%'")).toBe(3000);
  }, 90_000);

  it('refuses a file it cannot recognise before importing anything', async () => {
    const odd = write('odd.txt', 'just,some,columns\n1,2,3\n');
    await expect(core.call('import.files', { files: [odd] })).rejects.toThrow(/cannot tell/);
    await expect(core.call('import.files', { files: [path.join(dir, 'missing.ndjson')] })).rejects.toThrow(
      /no such file/,
    );
  });

  it('parses button lists', () => {
    expect(parseButtons('A|1; B ;C|')).toEqual([
      { title: 'A', id: '1' },
      { title: 'B', id: null },
      { title: 'C', id: null },
    ]);
    expect(parseButtons('[{"title":"X; Y|Z","id":"x"}]')).toEqual([{ title: 'X; Y|Z', id: 'x' }]);
  });
});
