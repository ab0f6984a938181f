import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../src/core/ingest/json-body';
import { makeTestCore, type TestCore, tempDir } from '../../helpers/core';
import { textDelivery } from '../../helpers/webhook';

// Issue 14, items 4, 18 and 20: what an import reports for broken, odd and oversized files.

let core: TestCore;
let dir: string;
const write = (name: string, content: string | Buffer) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
};
const NOW = Math.floor(Date.now() / 1000);
const line = (id: string) =>
  JSON.stringify(
    textDelivery({ phoneNumberId: '1234567890', waId: '4915100000001', id, ts: NOW - 600, body: id }),
  );
const stored = (id: string) =>
  (core.db().prepare('SELECT count(*) AS n FROM messages WHERE id = ?').get(id) as { n: number }).n;

beforeAll(() => {
  core = makeTestCore();
  dir = tempDir('insights-import-hostile-');
});
afterAll(async () => {
  await core.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('import reporting', () => {
  it('a truncated .gz names the file, what was imported and that a re-run continues', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => line(`wamid.gz.${i}`)).join('\n');
    const gz = gzipSync(Buffer.from(lines));
    const file = write('cut.ndjson.gz', gz.subarray(0, Math.floor(gz.length * 0.7)));
    const r = await core.call('import.files', { files: [file] });
    const err = r.errors.find((e) => e.file === file)!;
    expect(err.reason).toContain('cut.ndjson.gz');
    expect(err.reason).toMatch(/ends early/);
    expect(err.reason).toMatch(/run the import again/);
    expect(err.reason).toContain(`${r.files[0]!.messages} messages`);
    expect(r.files[0]!.messages).toBeGreaterThan(0);
  });

  it('a corrupt .gz names the file', async () => {
    const gz = gzipSync(Buffer.from(line('wamid.corrupt')));
    gz.fill(0x55, 10, 30);
    const file = write('corrupt.ndjson.gz', gz);
    await expect(core.call('import.files', { files: [file] })).rejects.toThrow(/corrupt\.ndjson\.gz/);
  });

  it('a bad CSV line is reported once', async () => {
    const file = write(
      'bad.csv',
      [
        'lead_phone,action,timestamp',
        '+4915100000001,Bought,',
        '+4915100000002,"Bo"x"ught",',
        '+4915100000003,Bought,',
      ].join('\n'),
    );
    const r = await core.call('import.files', { files: [file] });
    expect(r.errors.filter((e) => e.file === file).map((e) => e.line)).toEqual([3]);
    expect(r.files[0]).toMatchObject({ events: 2, bad: 1 });
  });

  it('a file with a megabyte of blank lines before its payload is imported', async () => {
    const file = write('blank.ndjson', `${'\n'.repeat(1024 * 1024)}${line('wamid.after.blank')}\n`);
    const r = await core.call('import.files', { files: [file] });
    expect(r.files[0]).toMatchObject({ kind: 'webhooks', messages: 1, bad: 0 });
    expect(stored('wamid.after.blank')).toBe(1);
  });
});

describe('sizes and trailing garbage', () => {
  it('a line longer than the body limit is skipped and reported; the lines around it are stored', async () => {
    const huge = `{"object":"whatsapp_business_account","entry":[],"pad":"${'x'.repeat(MAX_BODY_BYTES + 10)}"}`;
    const file = write('huge.ndjson', [line('wamid.before.huge'), huge, line('wamid.after.huge')].join('\n'));
    const r = await core.call('import.files', { files: [file] });
    expect(r.errors.filter((e) => e.file === file).map((e) => [e.line, e.reason.slice(0, 20)])).toEqual([
      [2, 'larger than 5 MB (5,'],
    ]);
    expect(stored('wamid.before.huge') + stored('wamid.after.huge')).toBe(2);
  });

  it('a message text beyond 4,096 characters is kept cut for derivation; the raw payload keeps it whole', async () => {
    const text = 'y'.repeat(100_000);
    const body = textDelivery({
      phoneNumberId: '1234567890',
      waId: '4915100000009',
      id: 'wamid.long',
      ts: NOW - 60,
      body: text,
    });
    const file = write('long.ndjson', JSON.stringify(body));
    await core.call('import.files', { files: [file] });
    const row = core.db().prepare("SELECT length(text) AS n FROM messages WHERE id = 'wamid.long'").get();
    expect(row).toEqual({ n: 4096 });
  });

  it('one rule for trailing garbage: the importer refuses the value before it, as the receiver refuses the body', async () => {
    const file = write(
      'garbage.json',
      `${JSON.stringify(textDelivery({ phoneNumberId: '1234567890', waId: '4915100000001', id: 'wamid.garbage', ts: NOW - 60, body: 'g' }), null, 2)} trailing`,
    );
    const r = await core.call('import.files', { files: [file] });
    expect(stored('wamid.garbage')).toBe(0);
    expect(r.files[0]).toMatchObject({ payloads: 0, bad: 1 });
    const ndjson = write('garbage.ndjson', `${line('wamid.garbage2')} trailing\n`);
    const r2 = await core.call('import.files', { files: [ndjson] });
    expect(stored('wamid.garbage2')).toBe(0);
    expect(r2.files[0]).toMatchObject({ payloads: 0, bad: 1 });
  });
});
