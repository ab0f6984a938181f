/// <reference lib="dom" />
import type { Page } from '@playwright/test';
import { expect, shoot, test } from './fixtures';

// Template campaigns' delivery (the source table's line and the drill-down) and spend imported from a CSV
// (Settings → Import), in browser mode on the demo workspace, at 1024×700 and by keyboard.

const WS = 'demo';

async function settled(page: Page) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
}

test('template delivery in the table and the drill-down; spend imported from a CSV', async ({
  page,
  api,
}) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect(page.getByTestId('explore-demo')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('explore-demo').click();
  await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 240_000 });
  await settled(page);
  const phone = await page.getByTestId('phone-select').inputValue();
  const range = { preset: '30d' } as const;

  await test.step('a template row shows its delivery; the drill-down its funnel, errors and chart', async () => {
    const all = await api('sources.delivery', { phone, range }, WS);
    const report = await api('report.get', { phone, range }, WS);
    const tpl = all.templates.find((t) => t.sent > 0 && report.sources.some((s) => s.id === t.sourceId));
    expect(tpl, 'the demo has a template campaign in the last 30 days').toBeTruthy();
    const row = page.locator(`[data-source-id="${tpl!.sourceId}"]`);
    await row.scrollIntoViewIfNeeded();
    await expect(row.getByTestId('delivery-line')).toContainText(`${tpl!.sent.toLocaleString('en-US')} sent`);
    await shoot(page, 'templates-table-1024');

    // Keyboard: focus the row's name, open it with Enter.
    await row.locator('.source-name').focus();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('template-delivery');
    await expect(panel).toBeVisible();
    const one = await api('sources.delivery', { phone, range, source: tpl!.sourceId }, WS);
    const d = one.templates[0]!;
    await expect(panel.locator('.step-sent .delivery-count')).toHaveText(d.sent.toLocaleString('en-US'));
    await expect(panel.locator('.step-delivered .delivery-count')).toHaveText(
      d.delivered.toLocaleString('en-US'),
    );
    await expect(panel.locator('.step-replied .delivery-count')).toHaveText(
      d.replied.toLocaleString('en-US'),
    );
    await expect(panel.locator('.step-failed .delivery-count')).toHaveText(d.failed.toLocaleString('en-US'));
    if (d.errors.length > 0) await expect(panel).toContainText(d.errors[0]!.code);
    await expect(panel.locator('.delivery-chart svg g')).toHaveCount(one.series!.length);
    await shoot(page, 'templates-drilldown-1024');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'templates-drilldown-1024-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
  });

  await test.step('Settings → Import → Import spend: bad lines import nothing; a good file shows as imported', async () => {
    const report = await api('report.get', { phone, range }, WS);
    const target = report.sources.find((s) => s.kind === 'keyword' && s.invested === null);
    expect(target, 'a keyword source without Invested').toBeTruthy();
    const day = report.range.to;
    await page.getByRole('button', { name: 'Settings' }).click();
    await page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('button', { name: 'Import' })
      .click();
    const file = page.getByTestId('spend-file');
    await file.setInputFiles({
      name: 'google-bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `date,source_id,amount,currency\n${day},${target!.id},12.50,${report.totals.currency}\n${day},${target!.id},"1,5",EUR\n`,
      ),
    });
    await page.getByTestId('spend-import').click();
    await expect(page.getByTestId('spend-import-errors')).toContainText('Line 3: "1,5" is not an amount');
    await shoot(page, 'spend-import-errors-1024');
    const still = await api('report.get', { phone, range }, WS);
    expect(still.sources.find((s) => s.id === target!.id)?.invested).toBeNull();

    await file.setInputFiles({
      name: 'google.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `date,source_id,amount,currency,note\n${day},${target!.id},12.50,${report.totals.currency},Google Ads\n`,
      ),
    });
    // Keyboard: from the file field, Tab reaches the button.
    await file.focus();
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('spend-import')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('spend-import-summary')).toContainText('1 day added');
    await shoot(page, 'spend-import-done-1024');
    const after = await api('report.get', { phone, range }, WS);
    expect(after.sources.find((s) => s.id === target!.id)).toMatchObject({
      invested: 12.5,
      investedFrom: 'imported',
    });

    await page.getByRole('button', { name: 'Back to the dashboard' }).first().click();
    await settled(page);
    const row = page.locator(`[data-source-id="${target!.id}"]`);
    await row.scrollIntoViewIfNeeded();
    await expect(row.getByTestId('invested-tag')).toHaveText('imported');
    await shoot(page, 'spend-imported-row-1024');
  });
});
