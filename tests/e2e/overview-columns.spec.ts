/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { textDelivery } from '../helpers/webhook';
import { expect, shoot, test } from './fixtures';

// Issue 17 §3 and §5, keyboard only at 1024×700: the agency overview (every workspace side by side, sort,
// open a workspace) and the source table's column chooser (remembered), the calendar range presets and
// the comparison selector. Data goes in through the real import path.

test.use({ viewport: { width: 1024, height: 700 } });

const DAY = 86_400;

/** Conversations on `phone`, `daysAgo` each; the even ones from an ad click. */
function deliveries(dir: string, phone: string, daysAgo: number[]): string {
  const now = Math.floor(Date.now() / 1000) - 120;
  const lines = daysAgo.map((d, i) => {
    const delivery = textDelivery({
      phoneNumberId: phone,
      displayPhoneNumber: `1555${phone.slice(-7)}`,
      waId: `49151${phone.slice(-3)}${String(i).padStart(4, '0')}`,
      id: `wamid.${phone}.${i}`,
      ts: now - d * DAY,
      body: i % 3 === 0 ? 'yes please' : 'hello',
      name: `Lead ${i}`,
    }) as { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
    if (i % 2 === 0)
      delivery.entry[0]!.changes[0]!.value.messages[0]!.referral = {
        source_type: 'ad',
        source_id: `${phone.slice(-3)}7`,
        source_url: 'https://fb.me/x',
        headline: `Ad of ${phone}`,
      };
    return JSON.stringify(delivery);
  });
  const file = path.join(dir, `${phone}.ndjson`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Moves the focus with Tab (as a keyboard user does) until `target` has it. */
async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${target} with Tab`);
}

async function settled(page: Page) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
}

test('agency overview: every workspace, money per currency, sort, open a workspace — keyboard only', async ({
  page,
  api,
  server,
}) => {
  test.setTimeout(180_000);
  await api('import.files', {
    files: [deliveries(server.dataDir, '100200301', [1, 2, 3, 4, 5, 9, 12, 40, 45, 65])],
  });
  await api('workspaces.create', { name: 'acme' });
  await api('settings.set', { key: 'currency', value: 'EUR' }, 'acme');
  await api('import.files', { files: [deliveries(server.dataDir, '100200302', [1, 2, 20, 40])] }, 'acme');
  const def = await api('report.get', { phone: '100200301', range: { preset: '30d' } });
  await api('sources.invest', {
    id: 'ad:3017',
    amount: 80,
    currency: 'USD',
    from: def.range.from,
    to: def.range.to,
  });
  await api(
    'sources.invest',
    { id: 'ad:3027', amount: 30, currency: 'EUR', from: def.range.from, to: def.range.to },
    'acme',
  );
  const expected = await api('overview.get', { range: { preset: '30d' } });
  expect(expected.workspaces.map((w) => [w.workspace, w.overview?.figures.conversations])).toEqual([
    ['acme', 3],
    ['default', 7],
  ]);

  await page.reload();
  await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
  // The overview is the first entry of the workspace switcher.
  await tabTo(page, page.getByTestId('workspace-select'));
  await page.keyboard.press('Home');
  await expect(page.getByTestId('workspace-select')).toHaveValue(':overview');
  const rows = page.getByTestId('overview-row');
  await expect(rows).toHaveCount(2, { timeout: 30_000 });
  await settled(page);

  await test.step('rows sorted by conversations; each currency in its own column line', async () => {
    await expect(rows.nth(0)).toHaveAttribute('data-workspace', 'default');
    await expect(rows.nth(0)).toContainText('$80.00');
    // default had data for the whole previous period: 7 conversations against 2 is +250%.
    expect(expected.workspaces[1]!.overview!.previous).toMatchObject({
      conversations: 2,
      comparison: 'full',
    });
    await expect(rows.nth(0).locator('.cell-change').first()).toHaveText('▲ +250.0%');
    await expect(rows.nth(1)).toContainText('€30.00');
    // No amount of one currency is added to another's: acme shows euros only.
    await expect(rows.nth(1)).not.toContainText('$');
    await expect(page.getByRole('columnheader', { name: /Last data received/ })).toBeVisible();
    await shoot(page, 'overview-1024');
  });

  await test.step('sort by workspace name with the keyboard', async () => {
    await tabTo(page, page.getByRole('button', { name: /^Workspace/ }));
    await page.keyboard.press('Enter');
    await expect(rows.nth(0)).toHaveAttribute('data-workspace', 'acme');
    await expect(page.getByRole('columnheader', { name: /Workspace/ })).toHaveAttribute(
      'aria-sort',
      'ascending',
    );
  });

  await test.step('Enter on a workspace opens its dashboard', async () => {
    await tabTo(page, rows.nth(0).getByRole('button', { name: 'acme' }));
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('workspace-select')).toHaveValue('acme');
    await settled(page);
    await expect(page.getByTestId('kpi-conversations-value')).toHaveText('3');
  });
});

test('column chooser (remembered), This month, compare with last year — keyboard only', async ({
  page,
  api,
  server,
}) => {
  test.setTimeout(180_000);
  await api('import.files', { files: [deliveries(server.dataDir, '100200301', [0, 1, 2, 3, 4, 6])] });
  await page.reload();
  await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
  await settled(page);
  const header = page.locator('.sources thead th');
  const before = await header.count();

  await test.step('choose Contacts and CTR', async () => {
    await tabTo(page, page.getByTestId('column-chooser'));
    await page.keyboard.press('Enter');
    // The popover puts the focus on its first box (Contacts).
    await expect(page.getByTestId('column-contacts')).toBeFocused();
    await page.keyboard.press('Space');
    await tabTo(page, page.getByTestId('column-ctr'));
    await page.keyboard.press('Space');
    await shoot(page, 'column-chooser-open-1024');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('column-chooser')).toBeFocused();
    await expect(header).toHaveCount(before + 2);
    await expect(page.getByRole('columnheader', { name: /Contacts/ })).toBeVisible();
    await expect(page.getByRole('columnheader', { name: /CTR/ })).toBeVisible();
    // The totals row has a cell under every column.
    await expect(page.locator('[data-testid="totals-row"] > *')).toHaveCount(before + 2);
    await expect(page.getByTestId('column-chooser')).toContainText('+2');
  });

  await test.step('the choice is remembered', async () => {
    expect((await api('prefs.get', {})).table?.columns).toEqual(['contacts', 'ctr']);
    await page.reload();
    await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
    await settled(page);
    await expect(page.locator('.sources thead th')).toHaveCount(before + 2);
    const contacts = await api('report.get', { phone: '100200301', range: { preset: '30d' } });
    await expect(page.locator('[data-testid="totals-row"] > *').nth(2)).toHaveText(
      String(contacts.totals.contacts),
    );
    await shoot(page, 'column-chooser-columns-1024');
  });

  await test.step('This month from the range menu', async () => {
    await tabTo(page, page.getByTestId('range-more'));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'This month' })).toBeFocused();
    await page.keyboard.press('Enter');
    await settled(page);
    await expect(page.getByTestId('range-more')).toHaveText(/This month/);
    const r = await api('report.get', { phone: '100200301', range: { preset: 'this-month' } });
    expect(r.range.from.endsWith('-01')).toBe(true);
    await expect(page.getByTestId('kpi-conversations-value')).toHaveText(String(r.totals.conversations));
  });

  await test.step('compare with the same period last year', async () => {
    await tabTo(page, page.getByTestId('compare-select'));
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('compare-select')).toHaveValue('year');
    await settled(page);
    // A year ago this number had no conversations: nothing to compare.
    await expect(page.getByTestId('kpi-conversations-change')).toHaveText('no comparison');
    expect((await api('prefs.get', {})).compare).toBe('year');
    await shoot(page, 'compare-year-1024');
  });
});
