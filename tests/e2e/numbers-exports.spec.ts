/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { textDelivery } from '../helpers/webhook';
import { expect, shoot, test } from './fixtures';

// Honest numbers and exports on a number whose history starts ten days ago: the previous period of 30D
// lies wholly before it, that of 7D partly; today's bucket is partial; an ad with a manual Invested amount;
// purchases in two currencies. Data goes in through the real import path (import.files).

const PHONE = '100200300';
const DAY = 86_400;

async function settled(page: Page) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
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
  const lines: unknown[] = [];
  const conversations = [10, 8, 5, 3, 1, 0];
  conversations.forEach((daysAgo, i) => {
    const waId = `4915110000${i}`;
    const delivery = textDelivery({
      phoneNumberId: PHONE,
      displayPhoneNumber: '15550001111',
      waId,
      id: `wamid.in${i}`,
      ts: now - daysAgo * DAY,
      body: i % 2 === 0 ? 'I saw your ad' : 'Hello',
      name: `Lead ${i}`,
    }) as { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
    // The even ones clicked a Click-to-WhatsApp ad (a referral on the first message).
    if (i % 2 === 0)
      delivery.entry[0]!.changes[0]!.value.messages[0]!.referral = {
        source_type: 'ad',
        source_id: '777',
        source_url: 'https://fb.me/777',
        headline: 'Winter sale',
      };
    lines.push(delivery);
  });
  const webhooks = path.join(dir, 'webhooks.ndjson');
  fs.writeFileSync(webhooks, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const iso = (ts: number) => new Date(ts * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const events = path.join(dir, 'events.csv');
  fs.writeFileSync(
    events,
    [
      'lead_phone,action,timestamp,revenue_amount,revenue_currency,event_id',
      `+49151100000,Purchase,${iso(now - 10 * DAY + 600)},40,USD,o1`,
      `+49151100000,Purchase,${iso(now - 10 * DAY + 700)},15,EUR,o2`,
      `+49151100002,Purchase,${iso(now - 5 * DAY + 600)},25,USD,o3`,
      `+49151100003,Purchase,${iso(now - 3 * DAY + 600)},,,o4`,
    ].join('\n'),
  );
  return [webhooks, events];
}

test('previous-period wording, partial trend buckets, manual mark, contacts and table CSV', async ({
  page,
  api,
  server,
}) => {
  test.setTimeout(180_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const files = seedFiles(server.dataDir);
  const summary = await api('import.files', { files });
  expect(summary).toBeTruthy();
  const r30 = await api('report.get', { phone: PHONE, range: { preset: '30d' } });
  expect(r30.totals.conversations).toBe(6);
  await api('sources.invest', {
    id: 'ad:777',
    amount: 60,
    currency: 'USD',
    from: r30.range.from,
    to: r30.range.to,
  });

  await page.reload();
  await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: '30D' }).click();
  await settled(page);

  await test.step('30D: the previous period lies before the first conversation: no comparison', async () => {
    const report = await api('report.get', { phone: PHONE, range: { preset: '30d' } });
    expect(report.previous.comparison).toBe('none');
    await expect(page.getByTestId('kpi-conversations-change')).toHaveText('no comparison');
    await expect(page.getByTestId('kpi-revenue-change')).toHaveText('no comparison');
    expect((await page.locator('.kpi-change').allTextContents()).filter((t) => t.includes('%'))).toEqual([]);
    // Paid sources only: the ad's 60 USD over its leads, next to the overall figure.
    const paid = report.paid;
    expect(paid.sources).toBe(1);
    await expect(page.getByTestId('kpi-costPerLead-paid')).toContainText(
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(paid.costPerLead!),
    );
    await expect(page.getByTestId('kpi-roas-paid')).toContainText('Paid sources');
    // Today is not over: its bucket is partial, and the legend says what the dashes mean.
    const buckets = page.getByTestId('trend-bucket');
    await expect(buckets.last()).toHaveAttribute('data-partial', 'true');
    await expect(buckets.first()).toHaveAttribute('data-partial', 'false');
    await expect(page.getByTestId('trend-partial-legend')).toBeVisible();
    // The ad's Invested was entered by hand.
    await expect(page.locator('[data-source-id="ad:777"]').getByTestId('invested-tag')).toHaveText('manual');
    await both(page, 'numbers-30d');
  });

  await test.step('7D: the previous period is partly covered: "from <date>"', async () => {
    await page.getByRole('button', { name: '7D' }).click();
    await settled(page);
    const report = await api('report.get', { phone: PHONE, range: { preset: '7d' } });
    expect(report.previous.comparison).toBe('partial');
    await expect(page.getByTestId('kpi-conversations-change')).toHaveText(/^from \w+ \d+, \d{4}$/);
    await expect(page.locator('.kpi').first()).toBeVisible();
    await both(page, 'numbers-7d-partial');
  });

  await test.step('12M: month buckets labelled with their year, the current month partial', async () => {
    await page.getByRole('button', { name: '12M' }).click();
    await settled(page);
    const month = new Intl.DateTimeFormat('en-US', { month: 'short', year: 'numeric' }).format(new Date());
    const last = page.getByTestId('trend-bucket').last();
    await expect(last).toHaveAttribute('data-partial', 'true');
    await expect(last).toContainText(month);
    await expect(last).toContainText('Partial month');
    await shoot(page, 'numbers-12m-light');
    await page.getByRole('button', { name: '30D' }).click();
    await settled(page);
  });

  await test.step('Download contacts from the toolbar: leads, then all contacts', async () => {
    await page.getByTestId('contacts-menu').click();
    await both(page, 'contacts-menu');
    const [leadsFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('contacts-leads').click(),
    ]);
    expect(leadsFile.suggestedFilename()).toMatch(
      /^insights-leads-15550001111-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d-.+-ext_Purchase\.csv$/,
    );
    const text = fs.readFileSync((await leadsFile.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = parse(text.slice(1)) as string[][];
    expect(header).toEqual([
      'phone',
      'name',
      'source_id',
      'source_name',
      'campaign',
      'ad_set',
      'ad',
      'conversation_start',
      'event',
      'event_time',
      'revenue',
      'currency',
      'contact_id',
    ]);
    // Three lead conversations; the first lead paid in two currencies: one row each, never an amount alone.
    expect(rows.map((r) => [r[0], r[2], r[6], r[8], r[10], r[11]])).toEqual([
      ['+49151100003', 'text:hello', '', 'Purchase', '0', 'USD'],
      ['+49151100002', 'ad:777', '777', 'Purchase', '25', 'USD'],
      ['+49151100000', 'ad:777', '777', 'Purchase', '40', 'USD'],
      ['+49151100000', 'ad:777', '777', 'Purchase', '15', 'EUR'],
    ]);
    // The phone is quoted text in the file (LibreOffice keeps quoted fields as text).
    expect(text).toContain('"+49151100000"');

    await page.getByTestId('contacts-menu').click();
    const [allFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('contacts-all').click(),
    ]);
    expect(allFile.suggestedFilename()).toMatch(/^insights-contacts-15550001111-.+-no_event\.csv$/);
    const all = parse(fs.readFileSync((await allFile.path())!, 'utf8').slice(1), { columns: true }) as Record<
      string,
      string
    >[];
    // Six conversations, plus the second currency row of the first lead.
    expect(all.length).toBe(7);
    expect(all.filter((r) => r.event === '').every((r) => r.revenue === '' && r.currency === '')).toBe(true);
  });

  await test.step('Export table: file name with number, range, timezone and event; totals; rates as numbers', async () => {
    const report = await api('report.get', { phone: PHONE, range: { preset: '30d' } });
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-sources').click(),
    ]);
    const tz = report.range.timezone.replace(/[^A-Za-z0-9]+/g, '_');
    expect(file.suggestedFilename()).toBe(
      `insights-sources-15550001111-${report.range.from}_${report.range.to}-${tz}-ext_Purchase.csv`,
    );
    const table = parse(fs.readFileSync((await file.path())!, 'utf8').slice(1), { columns: true }) as Record<
      string,
      string
    >[];
    const total = table.at(-1)!;
    expect(total.Source).toBe('Total');
    expect(Number(total.Conversations)).toBe(report.totals.conversations);
    expect(Number(total['Conversion rate'])).toBeCloseTo(report.totals.conversionRate, 4);
    expect(total['Revenue (EUR)']).toBe('15');
    expect(table.every((r) => !r['Conversion rate']!.includes('%'))).toBe(true);
  });

  await test.step('1024 × 700: the toolbar and the KPI notes still fit', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await expect(page.getByTestId('contacts-menu')).toBeInViewport();
    await page.getByTestId('contacts-menu').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('contacts-leads')).toBeFocused();
    await both(page, 'numbers-1024');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('contacts-menu')).toBeFocused();
  });

  expect(pageErrors).toEqual([]);
});
