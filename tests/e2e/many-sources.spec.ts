/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { FIRST_SOURCE_ROWS } from '../../src/renderer/src/state/store';
import { textDelivery } from '../helpers/webhook';
import { expect, shoot, test } from './fixtures';

// More sources than a report brings at first (docs/architecture.md "Source rows on demand"): the table fills
// with every row after the first ones, search finds a row beyond them, sorting puts the smallest first and
// the CSV holds every row. Data goes in through the real import path.

const PN = '100200500';
const DAY = 86_400;
const SOURCES = FIRST_SOURCE_ROWS + 60;

/**
 * Source i (a first message "question i") has 2 + (SOURCES − i) / 20 conversations: question 0 the most,
 * and none with a single one (those are folded into "Other first messages").
 */
function seedFile(dir: string): string {
  const now = Math.floor(Date.now() / 1000) - 120;
  const lines: unknown[] = [];
  for (let i = 0; i < SOURCES; i++)
    for (let j = 0; j < 2 + Math.floor((SOURCES - i) / 20); j++)
      lines.push(
        textDelivery({
          phoneNumberId: PN,
          displayPhoneNumber: '15550005555',
          waId: `49151${String(i).padStart(3, '0')}${String(j).padStart(3, '0')}`,
          id: `wamid.many${i}-${j}`,
          ts: now - ((i + j) % 20) * DAY - 60,
          body: `question ${i}`,
          name: `Lead ${i}-${j}`,
        }),
      );
  const file = path.join(dir, 'many.ndjson');
  fs.writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return file;
}

test('a table with more sources than the first answer: all rows, search, sort and CSV', async ({
  page,
  api,
  server,
}) => {
  test.setTimeout(120_000);
  await api('import.files', { files: [seedFile(server.dataDir)] });
  const all = await api('report.get', { phone: PN, range: { preset: '30d' } });
  expect(all.sources).toHaveLength(SOURCES);

  await test.step('the core: the first rows and their count, then every row from report.sources', async () => {
    const cut = await api('report.dashboard', {
      phone: PN,
      range: { preset: '30d' },
      sourcesLimit: FIRST_SOURCE_ROWS,
      eventsPerKind: 20,
    });
    expect(cut.report.sources).toEqual(all.sources.slice(0, FIRST_SOURCE_ROWS));
    expect(cut.report.sourcesTotal).toBe(SOURCES);
    const rest = await api('report.sources', { phone: PN, range: { preset: '30d' } });
    expect(rest.sources).toEqual(all.sources);
  });

  await test.step('the first rows on screen while the rest is on its way; then every row', async () => {
    // The rest held back: the table shows the first rows, says the others are coming, and its CSV waits.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/report.sources', async (route) => {
      await held;
      await route.continue();
    });
    await page.reload();
    await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: '30D' }).click();
    await expect(page.getByText(`Loading all ${SOURCES}…`)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('export-sources')).toBeDisabled();
    await expect(page.getByTestId('source-row').first()).toHaveAttribute(
      'data-source-id',
      all.sources[0]!.id,
    );
    await shoot(page, 'many-sources-first-rows');
    release();
    await expect(page.getByText(`${SOURCES} of ${SOURCES}`)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('export-sources')).toBeEnabled();
    await page.unroute('**/api/report.sources');
  });

  await test.step('search finds a source beyond the first rows', async () => {
    const last = `question ${SOURCES - 1}`;
    await page.getByTestId('source-search').fill(last);
    await expect(page.getByTestId('source-row')).toHaveCount(1);
    await expect(page.getByTestId('source-row').first()).toContainText(last);
    await shoot(page, 'many-sources-search');
    await page.getByTestId('source-search').fill('');
  });

  await test.step('sorting by conversations ascending puts the smallest source first', async () => {
    const fewest = Math.min(...all.sources.map((r) => r.conversations));
    const smallest = all.sources.filter((r) => r.conversations === fewest).map((r) => r.id);
    await page
      .getByRole('button', { name: /^Conversations/ })
      .first()
      .click();
    await expect(page.locator('th[aria-sort="ascending"]')).toHaveCount(1);
    expect(smallest).toContain(await page.getByTestId('source-row').first().getAttribute('data-source-id'));
  });

  await test.step('the printed report: every row of the table, page after page', async () => {
    // On screen only the rows in view are in the page (a virtual body); in print every row is.
    expect(await page.getByTestId('source-row').count()).toBeLessThan(SOURCES);
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    await expect(page.getByTestId('source-row')).toHaveCount(SOURCES);
    const file = path.join('test-results', 'screenshots', 'many-sources.pdf');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
    await page.emulateMedia({ media: 'screen' });
    await expect(page.getByTestId('source-row')).not.toHaveCount(SOURCES);
  });

  await test.step('the table CSV holds every row and the total', async () => {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-sources').click(),
    ]);
    const rows = parse(fs.readFileSync((await file.path())!, 'utf8').slice(1), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.filter((r) => r['Source id']?.startsWith('text:'))).toHaveLength(SOURCES);
    expect(rows.at(-1)).toMatchObject({ Source: 'Total', Conversations: String(all.totals.conversations) });
  });
});
