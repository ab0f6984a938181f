/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { textDelivery } from '../helpers/webhook';
import { expect, shoot, test } from './fixtures';

// "All numbers" in the number picker (docs/metrics.md "All numbers"): two numbers share an ad and a contact;
// the dashboard over both shows the ad once, the contact once, the ad's spend once, and its drill-down,
// rename, exports and comparison work on the merged row. Data goes in through the real import path.

const PN1 = '100200300';
const PN2 = '100200400';
const DAY = 86_400;

async function settled(page: Page) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
}

async function kpi(page: Page, key: string): Promise<number> {
  const el = page.getByTestId(`kpi-${key}-value`);
  const text = (await el.getAttribute('title')) ?? (await el.textContent()) ?? '';
  return Number(text.replace(/[^\d.]/g, ''));
}

async function both(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
    await shoot(page, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

function seedFiles(dir: string): string[] {
  const now = Math.floor(Date.now() / 1000) - 120;
  const msgs: { phone: string; display: string; wa: string; daysAgo: number; ad: boolean }[] = [
    { phone: PN1, display: '15550001111', wa: '491510000001', daysAgo: 5, ad: true },
    { phone: PN2, display: '15550002222', wa: '491510000001', daysAgo: 3, ad: true },
    { phone: PN1, display: '15550001111', wa: '491510000002', daysAgo: 4, ad: false },
    { phone: PN2, display: '15550002222', wa: '491510000003', daysAgo: 2, ad: false },
    { phone: PN2, display: '15550002222', wa: '491510000004', daysAgo: 1, ad: true },
  ];
  const lines = msgs.map((m, i) =>
    textDelivery({
      phoneNumberId: m.phone,
      displayPhoneNumber: m.display,
      waId: m.wa,
      id: `wamid.all${i}`,
      ts: now - m.daysAgo * DAY,
      body: m.ad ? 'I saw your ad' : 'Hello',
      name: `Lead ${i}`,
      ...(m.ad ? { referral: { adId: '777', clid: `clid${i}` } } : {}),
    }),
  );
  const webhooks = path.join(dir, 'webhooks.ndjson');
  fs.writeFileSync(webhooks, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const iso = (ts: number) => new Date(ts * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const events = path.join(dir, 'events.csv');
  // No app_id: attributed as for one number, to the contact's most recent conversation (PN2's).
  fs.writeFileSync(
    events,
    [
      'lead_phone,action,timestamp,revenue_amount,revenue_currency,event_id',
      `+491510000001,Purchase,${iso(now - 3 * DAY + 600)},40,USD,o1`,
    ].join('\n'),
  );
  return [webhooks, events];
}

test('All numbers: one row per source, spend and contacts once, drill-down, rename, exports', async ({
  page,
  api,
  server,
}) => {
  test.setTimeout(180_000);
  await api('import.files', { files: seedFiles(server.dataDir) });
  const r1 = await api('report.get', { phone: PN1, range: { preset: '30d' } });
  await api('sources.invest', {
    id: 'ad:777',
    amount: 60,
    currency: 'USD',
    from: r1.range.from,
    to: r1.range.to,
  });
  const q = { phone: 'all', range: { preset: '30d' as const } };

  await page.reload();
  await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: '30D' }).click();
  await settled(page);

  await test.step('the picker offers All numbers; its figures are the core report over both numbers', async () => {
    const picker = page.getByTestId('phone-select');
    await expect(picker.locator('option').first()).toHaveText('All numbers');
    await picker.selectOption('all');
    await settled(page);
    const report = await api('report.get', q);
    expect(report.totals).toMatchObject({
      conversations: 5,
      contacts: 4,
      invested: 60,
      leads: 1,
      revenue: 40,
    });
    await expect.poll(() => kpi(page, 'conversations')).toBe(5);
    await expect(page).toHaveTitle(/^All numbers — Insights/);
    await expect(page.getByTestId('dash-range')).toContainText('· 2 numbers');
    // The ad of both numbers is one row, its spend counted once.
    const ad = page.locator('[data-source-id="ad:777"]');
    await expect(ad).toHaveCount(1);
    await expect(ad).toContainText('3');
    await expect(ad).toContainText('$60.00');
    await both(page, 'all-numbers');
  });

  await test.step('drill-down of the merged row lists the conversations of both numbers', async () => {
    const report = await api('report.get', q);
    const src = report.sources.find((s) => s.id === 'ad:777')!;
    await page
      .locator('[data-source-id="ad:777"]')
      .getByRole('button', { name: src.name, exact: true })
      .click();
    const drawer = page.getByTestId('drilldown');
    await expect(drawer.getByTestId('conversation-row')).toHaveCount(3, { timeout: 30_000 });
    await expect(drawer).toContainText('3 conversations');
    // Each conversation says its number: the contact who wrote to both appears once per number.
    await expect(drawer.getByTestId('conversation-number')).toHaveText([
      'on +15550002222',
      'on +15550002222',
      'on +15550001111',
    ]);
    await both(page, 'all-numbers-drilldown');
    await drawer.getByRole('button', { name: 'Close the drill-down' }).click();
  });

  await test.step('rename the merged row: one source of the workspace, renamed on every number', async () => {
    const row = page.locator('[data-source-id="ad:777"]');
    await row.getByTestId('rename-button').click();
    await page.getByTestId('rename-input').fill('Winter video');
    await page.getByTestId('rename-input').press('Enter');
    await expect(row).toContainText('Winter video');
    for (const phone of [PN1, PN2]) {
      const r = await api('report.get', { phone, range: { preset: '30d' } });
      expect(r.sources.find((s) => s.id === 'ad:777')?.name).toBe('Winter video');
    }
  });

  await test.step('Export table: "all" in the file name, the totals of both numbers', async () => {
    const report = await api('report.get', q);
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-sources').click(),
    ]);
    const tz = report.range.timezone.replace(/[^A-Za-z0-9]+/g, '_');
    expect(file.suggestedFilename()).toBe(
      `insights-sources-all-${report.range.from}_${report.range.to}-${tz}-ext_Purchase.csv`,
    );
    const table = parse(fs.readFileSync((await file.path())!, 'utf8').slice(1), { columns: true }) as Record<
      string,
      string
    >[];
    expect(table.filter((r) => r['Source id'] === 'ad:777')).toHaveLength(1);
    expect(table.at(-1)).toMatchObject({ Source: 'Total', Conversations: '5', 'Invested (USD)': '60' });
  });

  await test.step('Download contacts: every conversation of both numbers', async () => {
    await page.getByTestId('contacts-menu').click();
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('contacts-all').click(),
    ]);
    expect(file.suggestedFilename()).toMatch(/^insights-contacts-all-.+-no_event\.csv$/);
    const rows = parse(fs.readFileSync((await file.path())!, 'utf8').slice(1), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(5);
  });

  await test.step('comparison: a year back has no data, said in words', async () => {
    await page.getByTestId('compare-select').selectOption('year');
    await settled(page);
    await expect(page.getByTestId('kpi-conversations-change')).toHaveText('no comparison');
    await page.getByTestId('compare-select').selectOption('previous');
    await settled(page);
  });

  await test.step('remembered after a reload; 1024 × 700 and the keyboard', async () => {
    await page.reload();
    await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
    await settled(page);
    await expect(page.getByTestId('phone-select')).toHaveValue('all');
    await page.setViewportSize({ width: 1024, height: 700 });
    await expect(page.getByTestId('phone-select')).toBeInViewport();
    await both(page, 'all-numbers-1024');
    // From the keyboard: the next entry is a single number, the one before it All numbers again.
    await page.getByTestId('phone-select').focus();
    await page.keyboard.press('ArrowDown');
    await settled(page);
    await expect(page.getByTestId('phone-select')).not.toHaveValue('all');
    await expect.poll(() => kpi(page, 'conversations')).toBeLessThan(5);
    await page.keyboard.press('ArrowUp');
    await settled(page);
    await expect(page.getByTestId('phone-select')).toHaveValue('all');
    await expect.poll(() => kpi(page, 'conversations')).toBe(5);
  });
});
