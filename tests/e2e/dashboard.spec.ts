/// <reference lib="dom" />
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { expect, shoot, test } from './fixtures';

// The dashboard's flows in browser mode against a real core with the demo workspace. One long test:
// building the demo takes tens of seconds on this machine, so every flow runs as a step on the same data.

const WS = 'demo';

/** The exact number behind a KPI card (the compact text carries the exact value in its title). */
async function kpi(page: Page, key: string): Promise<number> {
  const el = page.getByTestId(`kpi-${key}-value`);
  const text = (await el.getAttribute('title')) ?? (await el.textContent()) ?? '';
  return Number(text.replace(/[^\d]/g, ''));
}

async function settled(page: Page) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
}

async function both(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await shoot(page, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('dashboard flows against the core (demo data)', async ({ page, api }) => {
  test.setTimeout(420_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await test.step('first run offers the demo, and the demo opens with a banner', async () => {
    await expect(page.getByTestId('explore-demo')).toBeVisible({ timeout: 30_000 });
    await both(page, 'first-run');
    await page.getByTestId('explore-demo').click();
    await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 240_000 });
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    await settled(page);
  });

  await test.step('at 1024 × 700 the top bar stays one line with the demo’s long names', async () => {
    const wide = page.viewportSize()!;
    await page.setViewportSize({ width: 1024, height: 700 });
    const top = async (locator: ReturnType<typeof page.getByTestId>) => (await locator.boundingBox())!.y;
    const settings = page.getByRole('button', { name: 'Settings' });
    expect(Math.abs((await top(settings)) - (await top(page.getByTestId('workspace-select'))))).toBeLessThan(
      4,
    );
    await page.setViewportSize(wide);
  });

  const phones = await api('phones.list', {}, WS);
  expect(phones.length).toBeGreaterThan(0);

  await test.step('numbers on screen equal report.get for the selected number, range and event', async () => {
    const phone = await page.getByTestId('phone-select').inputValue();
    const report = await api('report.get', { phone, range: { preset: '30d' } }, WS);
    expect(await kpi(page, 'conversations')).toBe(report.totals.conversations);
    expect(await kpi(page, 'leads')).toBe(report.totals.leads);
    await expect(page).toHaveTitle(new RegExp((report.phone.display ?? report.phone.id).replace(/\D/g, '')));
    await both(page, 'dashboard');

    // Another number.
    const other = phones.find((p) => p.id !== phone);
    if (other) {
      await page.getByTestId('phone-select').selectOption(other.id);
      await settled(page);
      const r2 = await api('report.get', { phone: other.id, range: { preset: '30d' } }, WS);
      await expect.poll(() => kpi(page, 'conversations')).toBe(r2.totals.conversations);
      await page.getByTestId('phone-select').selectOption(phone);
      await settled(page);
    }

    // Another range.
    await page.getByRole('button', { name: '7D' }).click();
    await settled(page);
    const r7 = await api('report.get', { phone, range: { preset: '7d' } }, WS);
    await expect.poll(() => kpi(page, 'conversations')).toBe(r7.totals.conversations);
    await page.getByRole('button', { name: '30D' }).click();
    await settled(page);

    // Another event, picked in the picker.
    const events = await api('events.list', { phone, range: { preset: '30d' } }, WS);
    const pick =
      events.events.find((e) => e.id !== report.event?.id && e.kind === 'button') ?? events.events[1];
    expect(pick).toBeTruthy();
    await page.getByTestId('event-trigger').click();
    await shoot(page, 'event-picker-light');
    await page
      .getByRole('dialog', { name: 'Choose the conversion event' })
      .getByRole('button', { name: pick!.label })
      .first()
      .click();
    await settled(page);
    const re = await api('report.get', { phone, range: { preset: '30d' }, event: pick!.id }, WS);
    await expect.poll(() => kpi(page, 'leads')).toBe(re.totals.leads);
    await expect(page.getByTestId('event-trigger')).toContainText(pick!.label);
    // The choice is remembered per number.
    expect((await api('prefs.get', {})).eventByPhone?.[phone]).toBe(pick!.id);
  });

  const phone = await page.getByTestId('phone-select').inputValue();
  // The event picked above stays selected for this number: every later comparison asks for it.
  const event = (await api('prefs.get', {})).eventByPhone?.[phone];
  const q = { phone, range: { preset: '30d' as const }, ...(event ? { event } : {}) };

  await test.step('rename a source inline; the name persists after a reload', async () => {
    const row = page.getByTestId('source-row').filter({ hasText: 'Keyword' }).first();
    const id = (await row.getAttribute('data-source-id'))!;
    await row.getByTestId('rename-button').click();
    await page.getByTestId('rename-input').fill('Flyer campaign');
    await page.getByTestId('rename-input').press('Enter');
    await expect(page.locator(`[data-source-id="${id}"]`)).toContainText('Flyer campaign');
    await page.reload();
    await expect(page.locator(`[data-source-id="${id}"]`)).toContainText('Flyer campaign', {
      timeout: 30_000,
    });
  });

  await test.step('setting Invested changes the conversion cost', async () => {
    await settled(page);
    const report = await api('report.get', q, WS);
    const src = report.sources.find((s) => s.kind === 'keyword' && s.leads > 0 && s.invested === null)!;
    expect(src).toBeTruthy();
    const row = page.locator(`[data-source-id="${src.id}"]`);
    await row.getByTestId('invest-button').click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByTestId('invest-from')).toHaveValue(report.range.from);
    await expect(dialog.getByTestId('invest-to')).toHaveValue(report.range.to);
    await dialog.getByTestId('invest-amount').fill('250');
    await shoot(page, 'invested-editor-light');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toHaveCount(0);
    await settled(page);
    const after = await api('report.get', q, WS);
    const s2 = after.sources.find((s) => s.id === src.id)!;
    expect(s2.invested).toBeCloseTo(250);
    expect(s2.costPerLead).toBeCloseTo(250 / s2.leads);
    const cpl = new Intl.NumberFormat('en-US', { style: 'currency', currency: after.totals.currency }).format(
      250 / s2.leads,
    );
    await expect(row).toContainText(cpl);
  });

  await test.step('drill down into a source and one conversation', async () => {
    const report = await api('report.get', q, WS);
    const src = report.sources[0]!;
    await page
      .locator(`[data-source-id="${src.id}"]`)
      .getByRole('button', { name: src.name, exact: true })
      .click();
    const drawer = page.getByTestId('drilldown');
    await expect(drawer).toBeVisible();
    await expect(drawer.getByTestId('conversation-row').first()).toBeVisible({ timeout: 30_000 });
    const list = await api('sources.conversations', { ...q, source: src.id, limit: 100 }, WS);
    await expect(drawer).toContainText(`${new Intl.NumberFormat('en-US').format(list.total)} conversations`);
    await both(page, 'drilldown');
    await drawer.getByTestId('conversation-row').first().getByRole('button').click();
    await expect(drawer.getByTestId('timeline')).toBeVisible({ timeout: 30_000 });
    await both(page, 'timeline');
    await drawer.getByRole('button', { name: 'Close the drill-down' }).click();
  });

  await test.step('download contacts and parse the CSV', async () => {
    // A run that crosses midnight in the report timezone moves "30D" by a day: reload, so the page and
    // the API below resolve the preset on the same day.
    await page.reload();
    await expect(page.getByTestId('source-row').first()).toBeVisible({ timeout: 30_000 });
    await settled(page);
    const report = await api('report.get', q, WS);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-contacts-all').click(),
    ]);
    const file = await download.path();
    const text = fs.readFileSync(file!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(text.slice(1), { columns: true }) as Record<string, string>[];
    const expected = await api('contacts.export', q, WS);
    expect(rows.length).toBe(expected.rows);
    // One row per lead conversation and revenue currency.
    expect(new Set(rows.map((r) => `${r.contact_id}|${r.conversation_start}`)).size).toBe(
      report.totals.leads,
    );

    const [tableCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-sources').click(),
    ]);
    const table = parse(fs.readFileSync((await tableCsv.path())!, 'utf8').slice(1), {
      columns: true,
    }) as Record<string, string>[];
    // The rows on screen, then the totals row.
    expect(table.length).toBe((await page.getByTestId('source-row').count()) + 1);
    expect(table.at(-1)!.Source).toBe('Total');
    expect(table[0]!.Conversations).toBe(String(report.sources[0]!.conversations));
  });

  await test.step('keyboard only: the top bar and the table are reachable, focus is visible', async () => {
    // Start where a keyboard user starts: the first stop of the page, the skip link.
    await page.locator('.skip-link').focus();
    const reached = new Set<string>();
    let outlineSeen = false;
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el) return null;
        const cs = getComputedStyle(el);
        return {
          label:
            el.getAttribute('aria-label') ??
            el.getAttribute('data-testid') ??
            el.textContent?.trim().slice(0, 30) ??
            '',
          outline: cs.outlineStyle !== 'none' && cs.outlineWidth !== '0px',
        };
      });
      if (info) {
        reached.add(info.label);
        outlineSeen ||= info.outline;
      }
    }
    expect([...reached]).toEqual(
      expect.arrayContaining(['Workspace', 'Business number', '7D', '30D', 'event-trigger']),
    );
    expect(outlineSeen).toBe(true);
    // Choose 7D with the keyboard.
    await page.getByRole('button', { name: '7D' }).focus();
    await page.keyboard.press('Enter');
    await settled(page);
    const r7 = await api('report.get', { ...q, range: { preset: '7d' } }, WS);
    await expect.poll(() => kpi(page, 'conversations')).toBe(r7.totals.conversations);
    // Sort the table from the keyboard.
    await page.getByRole('button', { name: /^Leads/ }).focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('.sources').getByRole('columnheader', { name: /Leads/ })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
  });

  await test.step('dark theme: follows the OS, and the manual choice is stored', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).not.toBe('rgb(246, 247, 249)');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.getByTestId('theme-toggle').click(); // system → light
    await page.getByTestId('theme-toggle').click(); // light → dark
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    expect((await api('prefs.get', {})).theme).toBe('dark');
    await page.getByTestId('theme-toggle').click(); // back to system
  });

  await test.step('the printed report (browser "Export report") hides the controls', async () => {
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    await expect(page.locator('.topbar')).toBeHidden();
    await expect(page.getByTestId('export-pdf')).toBeHidden();
    await expect(page.getByTestId('kpi-conversations-value')).toBeVisible();
    await shoot(page, 'report-print');
    await page.emulateMedia({ media: 'screen' });
  });

  await test.step('settings screens', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByTestId('settings')).toBeVisible();
    for (const section of [
      'Channels',
      'Templates',
      'External events',
      'Keywords',
      'Meta ads',
      'Conversions to Meta',
      'Collector',
      'Attribution',
      'Quarantine',
      'Unattributed events',
      'Privacy',
      'General',
    ]) {
      await page
        .getByRole('navigation', { name: 'Settings sections' })
        .getByRole('button', { name: section })
        .click();
      await expect(page.locator('.settings-body .hint', { hasText: 'Loading…' })).toHaveCount(0, {
        timeout: 20_000,
      });
      await both(page, `settings-${section.toLowerCase().replace(/\s+/g, '-')}`);
    }
  });

  await test.step('the settings of the demo: its channels, templates and Meta account, and Sync now works', async () => {
    const nav = page.getByRole('navigation', { name: 'Settings sections' });
    await nav.getByRole('button', { name: 'Channels' }).click();
    await expect(page.getByTestId('channel')).toHaveCount(2);
    await expect(page.getByTestId('settings-channels')).toContainText('Lumen Skincare Berlin');
    await nav.getByRole('button', { name: 'Templates' }).click();
    await expect(page.getByTestId('templates-table')).toContainText('restock_alert');
    await nav.getByRole('button', { name: 'Meta ads' }).click();
    await expect(page.getByTestId('settings-meta')).toContainText('Demo Marketer');
    const lastSync = await page.getByTestId('meta-last-sync').textContent();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('button', { name: 'Sync now' })).toBeEnabled({ timeout: 60_000 });
    await expect(page.getByTestId('settings-meta')).not.toContainText('not connected');
    await expect(page.getByTestId('meta-last-sync')).not.toHaveText(lastSync ?? '');
    await both(page, 'settings-meta-ads-synced');
  });

  await test.step('leave the demo, explore it again: the demo is rebuilt', async () => {
    await page.getByRole('button', { name: 'Leave demo' }).click();
    await expect(page.getByTestId('explore-demo')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('explore-demo').click();
    await expect(page.getByTestId('demo-banner')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 60_000 });
    await page.getByRole('button', { name: '30D', exact: true }).click();
    const phone = await page.getByTestId('phone-select').inputValue();
    const report = await api('report.get', { phone, range: { preset: '30d' } }, WS);
    await expect.poll(() => kpi(page, 'conversations')).toBe(report.totals.conversations);
  });

  expect(pageErrors).toEqual([]);
});
