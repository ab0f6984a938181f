/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { textDelivery } from '../helpers/webhook';
import { expect, test } from './fixtures';

// A long import cancelled from the jobs panel: it stops within 2 s of the click (issue: every job can be
// cancelled), the panel says so, and the same file imported again afterwards stores everything once.

const PHONE = '100200300';

function bigWebhookFile(dir: string, count: number): string {
  const now = Math.floor(Date.now() / 1000) - 3_600;
  const file = path.join(dir, 'many.ndjson');
  const out = fs.openSync(file, 'w');
  try {
    let chunk: string[] = [];
    for (let i = 0; i < count; i++) {
      const delivery = textDelivery({
        phoneNumberId: PHONE,
        displayPhoneNumber: '15550001111',
        waId: `49151${String(i).padStart(8, '0')}`,
        id: `wamid.many${i}`,
        ts: now - (i % 5_000) * 60,
        body: i % 3 === 0 ? 'promo' : 'hello',
      });
      chunk.push(JSON.stringify(delivery));
      if (chunk.length === 5_000) {
        fs.writeSync(out, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length) fs.writeSync(out, `${chunk.join('\n')}\n`);
  } finally {
    fs.closeSync(out);
  }
  return file;
}

test('a running import is cancelled from the jobs panel within 2 s and can be run again', async ({
  page,
  api,
  server,
}) => {
  test.setTimeout(300_000);
  const COUNT = 120_000;
  const file = bigWebhookFile(server.dataDir, COUNT);

  const first = api('import.files', { files: [file], channel: PHONE }).then(
    () => 'finished',
    (err: Error) => err.message,
  );
  await page.getByTestId('jobs-button').click();
  const job = page.getByTestId('job').filter({ hasText: 'Import' }).first();
  const cancel = job.getByRole('button', { name: 'Cancel' });
  await expect(cancel).toBeVisible({ timeout: 60_000 });
  // Cancel once the import is well under way (some rows committed), from the keyboard like a user would.
  await expect
    .poll(async () => Number((await job.getByRole('progressbar').getAttribute('aria-valuenow')) ?? 0), {
      timeout: 60_000,
    })
    .toBeGreaterThan(5);
  await cancel.focus();
  const clicked = Date.now();
  await page.keyboard.press('Enter');
  await expect(job.getByText('Cancelled')).toBeVisible({ timeout: 2_000 });
  expect(await first).toMatch(/cancel/i);
  expect(Date.now() - clicked).toBeLessThan(2_000);

  // Run again: the rows committed before the cancel are not stored twice, the rest arrive.
  await api('import.files', { files: [file], channel: PHONE });
  const phones = await api('phones.list', {});
  expect(phones.map((p) => p.id)).toContain(PHONE);
  const report = await api('report.get', { phone: PHONE, range: { preset: '30d' } });
  expect(report.totals.conversations).toBe(COUNT);
});
