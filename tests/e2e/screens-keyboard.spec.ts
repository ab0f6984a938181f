/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, SCREENSHOT_DIR, shoot, test } from './fixtures';

// Issue 13, "Screens, keyboard, inputs", on the demo workspace in browser mode: the source table at
// 1024 × 700, the drill-down and the event picker by keyboard, the Invested dialog's focus trap and
// confirmation, the report timezone from the top bar, the printed report as an A4 PDF, and a clean
// console throughout (the fixture fails the test on any console error or warning).

const WS = 'demo';
const NARROW = { width: 1024, height: 700 };
const WIDE = { width: 1440, height: 900 };

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

/** What has the keyboard focus: its test id, aria-label or text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      testId: el?.closest('[data-testid]')?.getAttribute('data-testid') ?? null,
      inDrawer: !!el?.closest('[data-testid="drilldown"]'),
      inDialog: !!el?.closest('.modal'),
      sourceRow: el?.closest('[data-source-id]')?.getAttribute('data-source-id') ?? null,
    };
  });

test('screens and keyboard: narrow table, drawer, picker, dialog, timezone, PDF', async ({
  page,
  api,
  server,
}) => {
  test.setTimeout(420_000);

  await test.step('the page is served with frame-ancestors as a header, not in its meta tag', async () => {
    const res = await fetch(server.origin);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(html).not.toContain('frame-ancestors');
  });

  await test.step('the demo opens', async () => {
    await expect(page.getByTestId('explore-demo')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('explore-demo').click();
    await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 240_000 });
    await expect(page.getByTestId('source-row').first()).toBeVisible({ timeout: 30_000 });
    await settled(page);
    await both(page, 'sk-dashboard-1440');
  });

  await test.step('at 1024 × 700 the source names keep a useful width', async () => {
    await page.setViewportSize(NARROW);
    await settled(page);
    await both(page, 'sk-dashboard-1024');
    const table = page.locator('.sources .data-table');
    await table.scrollIntoViewIfNeeded();
    await both(page, 'sk-table-1024');
    const widths = await page.evaluate(() => {
      const name = document.querySelector<HTMLElement>('.sources tbody td.col-name');
      const scroll = document.querySelector<HTMLElement>('.sources .table-scroll');
      return {
        name: name?.getBoundingClientRect().width ?? 0,
        overflow: scroll ? scroll.scrollWidth - scroll.clientWidth : 0,
      };
    });
    expect(widths.name).toBeGreaterThanOrEqual(200);
    // The numbers give way instead of pushing the table into a sideways scroll.
    expect(widths.overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize(WIDE);
  });

  await test.step('the drill-down takes the focus, Escape closes it and the focus returns to the row', async () => {
    const phone = await page.getByTestId('phone-select').inputValue();
    const report = await api('report.get', { phone, range: { preset: '30d' } }, WS);
    const src = report.sources.find((s) => s.conversations > 0)!;
    const open = page
      .locator(`[data-source-id="${src.id}"]`)
      .getByRole('button', { name: src.name, exact: true });
    await open.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByTestId('drilldown');
    await expect(drawer).toBeVisible();
    await expect.poll(async () => (await focused(page)).inDrawer).toBe(true);
    await expect(drawer.getByTestId('conversation-row').first()).toBeVisible({ timeout: 30_000 });
    // Into a conversation and back with Escape, then Escape closes.
    await drawer.getByTestId('conversation-row').first().getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect(drawer.getByTestId('timeline')).toBeVisible({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await expect(drawer.getByTestId('timeline')).toHaveCount(0);
    await expect(drawer).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(drawer).toHaveCount(0);
    expect((await focused(page)).sourceRow).toBe(src.id);
  });

  await test.step('the event picker: typing filters, arrows and Enter pick, Escape closes', async () => {
    const phone = await page.getByTestId('phone-select').inputValue();
    const events = await api('events.list', { phone, range: { preset: '30d' } }, WS);
    const current = await page.getByTestId('event-trigger').textContent();
    const pick = events.events.find((e) => !current?.includes(e.label) && e.label.length > 3)!;
    await page.getByTestId('event-trigger').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('event-search')).toBeFocused();
    await page.keyboard.type(pick.label);
    const dialog = page.getByRole('dialog', { name: 'Choose the conversion event' });
    await expect(dialog.locator('.event-option').first()).toContainText(pick.label);
    await shoot(page, 'sk-event-picker-typed-light');
    // Down twice and up once lands on the first match.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await expect(dialog.locator('.event-option.active')).toHaveCount(1);
    const chosen = (await dialog.locator('.event-option.active .event-option-label').textContent()) ?? '';
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('event-trigger')).toContainText(chosen);
    await expect(page.getByTestId('event-trigger')).toBeFocused();
    await settled(page);
    // Escape closes without changing the choice.
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('event-trigger')).toContainText(chosen);
    await expect(page.getByTestId('event-trigger')).toBeFocused();
  });

  await test.step('the Invested dialog: amount selected, focus trapped, a large amount asks first', async () => {
    const invest = page.getByTestId('invest-button').first();
    await invest.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    const amount = dialog.getByTestId('invest-amount');
    await expect(amount).toBeFocused();
    await amount.fill('1234');
    await dialog.getByTestId('invest-currency').focus();
    await amount.focus();
    // Focus selected the whole amount: typing replaces it.
    await page.keyboard.type('50000000');
    await expect(amount).toHaveValue('50000000');
    await expect(dialog.getByTestId('invest-large')).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
    await both(page, 'sk-invested-large');
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      expect((await focused(page)).inDialog).toBe(true);
    }
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Shift+Tab');
      expect((await focused(page)).inDialog).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(invest).toBeFocused();
  });

  await test.step('the report timezone shows in the top bar and can be changed there', async () => {
    const select = page.getByTestId('timezone-select');
    await expect(select).toBeVisible();
    const phone = await page.getByTestId('phone-select').inputValue();
    const zone = 'Pacific/Auckland';
    await select.selectOption(zone);
    await settled(page);
    await expect(page.getByTestId('dash-range')).toContainText('Pacific/Auckland');
    const report = await api('report.get', { phone, range: { preset: '30d' }, timezone: zone }, WS);
    await expect(page.getByTestId('dash-range')).toContainText(
      String(new Date(report.range.to).getUTCFullYear()),
    );
    expect((await api('prefs.get', {})).timezoneByWorkspace?.[WS]).toBe(zone);
    await both(page, 'sk-timezone');
    await page.setViewportSize(NARROW);
    await shoot(page, 'sk-topbar-1024-light');
    await page.setViewportSize(WIDE);
    await select.selectOption('');
    await settled(page);
  });

  await test.step('the printed report fits A4 with margins', async () => {
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    const file = path.join(SCREENSHOT_DIR, 'sk-report.pdf');
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // The size and margins come from the page's @page rule, as in Electron's printToPDF (preferCSSPageSize).
    const pdf = await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // Nothing is wider than the printable width (A4 less the @page margins, 186 mm = 703 CSS px):
    // no clipped chart, funnel or table.
    await page.setViewportSize({ width: 703, height: 1000 });
    const overflow = await page.evaluate(() => {
      const wide: string[] = [];
      const limit = document.documentElement.clientWidth;
      for (const el of Array.from(document.querySelectorAll<HTMLElement>('.dashboard *'))) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > limit + 1)
          wide.push(`${el.className || el.tagName} ${Math.round(r.right)}`);
      }
      return wide.slice(0, 5);
    });
    expect(overflow).toEqual([]);
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize(WIDE);
    try {
      execFileSync('pdftoppm', ['-png', '-r', '60', file, path.join(SCREENSHOT_DIR, 'sk-report-page')]);
    } catch {
      // pdftoppm (poppler-utils) only renders pages for a person to look at; the checks above stand alone.
    }
  });
});
