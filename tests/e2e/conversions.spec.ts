/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { type FakeCapi, startFakeCapi } from '../fakes/fake-capi';
import { testFixture } from '../fakes/meta-fixture';
import { expect, SCREENSHOT_DIR, test } from './fixtures';

// Issue 16, "A Playwright flow": a Click-to-WhatsApp conversation with a button reply arrives as a signed
// webhook, Meta is connected with a token against a local fake Graph API (tests/fakes/fake-capi.ts, which
// also answers /dataset and /events as Meta documents them), and then, by keyboard only, Settings →
// Conversions to Meta: find the dataset, map the event, dry run (the JSON), turn sending on, send, and the
// status panel and the ad's drill-down say it was sent once.

const WABA = '102290129340398';
const PHONE = '1000000001';
const LEAD = '4915111111111';
const CLID = 'ARAkLkA8rmlFeiCktEJQ-e2e';
const AD = '1001'; // "Summer video" in the Meta fixture
const NARROW = { width: 1024, height: 700 };

const today = new Date().toISOString().slice(0, 10);
// The login grants what Conversions to Meta needs (docs/conversions-api.md, "Setting it up").
const fixture = testFixture({
  to: today,
  permissions: ['ads_read', 'business_management', 'whatsapp_business_manage_events'],
});
let fake: FakeCapi;

// The e2e server inherits this environment: its Graph client talks to the fake.
test.beforeAll(async () => {
  fake = await startFakeCapi({ wabas: [{ id: WABA }], fixture });
  process.env.INSIGHTS_GRAPH_URL = fake.url;
});
test.afterAll(async () => {
  delete process.env.INSIGHTS_GRAPH_URL;
  await fake?.close();
});

/** A Cloud API delivery from the WhatsApp Business Account (entry[].id is the WABA id). */
function delivery(message: Record<string, unknown>): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: PHONE },
              contacts: [{ profile: { name: 'Ana' }, wa_id: LEAD }],
              messages: [{ from: LEAD, ...message }],
            },
          },
        ],
      },
    ],
  });
}

/** What the window shows (a full-page shot draws the fixed top bar and drawer mid-page), in both themes. */
async function viewShot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Presses Tab (or Shift+Tab) until `target` has the focus: it is reachable by keyboard, in the page's order. */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab', max = 80): Promise<void> {
  const handle = await target.elementHandle();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (await page.evaluate((el) => el === document.activeElement, handle)) return;
  }
  throw new Error(`${String(target)} was not reached with ${max} presses of ${key}`);
}

test('conversions to Meta: map, dry run, turn on, send, see it sent — by keyboard', async ({
  page,
  api,
  server,
}) => {
  test.setTimeout(180_000);

  await test.step('a CTWA conversation with a button reply arrives; Meta is connected', async () => {
    const channel = await api('channels.add', { phoneNumberId: PHONE, name: 'Shop DE' });
    const post = (body: string) =>
      fetch(`${server.origin}/webhooks/360dialog/${PHONE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${channel.secret}`, 'content-type': 'application/json' },
        body,
      });
    const start = Math.floor(Date.now() / 1000) - 3 * 3600;
    const first = await post(
      delivery({
        id: 'wamid.ctwa1',
        timestamp: String(start),
        type: 'text',
        text: { body: 'Hi, I saw your ad' },
        referral: {
          source_url: 'https://fb.me/abc',
          source_id: AD,
          source_type: 'ad',
          headline: 'Summer sale',
          body: 'Book a fitting',
          media_type: 'image',
          ctwa_clid: CLID,
        },
      }),
    );
    expect(first.status).toBe(200);
    const reply = await post(
      delivery({
        id: 'wamid.ctwa2',
        timestamp: String(start + 600),
        type: 'button',
        button: { text: 'Book now', payload: 'book' },
        context: { from: '15550001111', id: 'wamid.offer' },
      }),
    );
    expect(reply.status).toBe(200);
    await api('meta.connectToken', { token: fixture.token });
  });

  await page.setViewportSize(NARROW);
  await page.reload();
  await expect(page.getByTestId('dashboard')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator(`[data-source-id="ad:${AD}"]`)).toBeVisible({ timeout: 30_000 });

  const panel = page.getByTestId('conversions-panel');
  await test.step('Settings → Conversions to Meta, by keyboard', async () => {
    await tabTo(page, page.getByRole('button', { name: 'Settings', exact: true }));
    await page.keyboard.press('Enter');
    await tabTo(
      page,
      page.getByRole('navigation', { name: 'Settings sections' }).getByText('Conversions to Meta'),
    );
    await page.keyboard.press('Enter');
    await expect(panel.getByRole('switch')).not.toBeChecked();
    await expect(page.getByTestId('conversions-sender')).toContainText('sends them');
  });

  await test.step('find or create the dataset of the business account', async () => {
    const row = panel.getByTestId('conversions-dataset');
    await expect(row).toContainText(WABA);
    await tabTo(page, row.getByRole('button', { name: 'Find or create dataset' }));
    await page.keyboard.press('Enter');
    await expect(row.locator('code')).toHaveText(fake.datasets.get(WABA) ?? /\d+/);
    expect(fake.datasets.has(WABA)).toBe(true);
  });

  await test.step('map the button reply to LeadSubmitted', async () => {
    await tabTo(page, panel.getByRole('button', { name: /Add an event/ }));
    await page.keyboard.press('Enter');
    await page.keyboard.type('Book now');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const mapping = panel.getByTestId('conversions-mapping');
    await expect(mapping).toHaveCount(1);
    await expect(mapping).toContainText('Book now');
    await expect(mapping.getByRole('combobox')).toHaveValue('LeadSubmitted');
    // The new row has the focus: its Meta name can be changed right away.
    await expect(mapping.getByRole('combobox')).toBeFocused();
    const settings = await api('conversions.settings', {});
    expect(settings.mappings).toEqual([
      expect.objectContaining({ eventId: 'button:Book now', metaEvent: 'LeadSubmitted', value: false }),
    ]);
  });

  await test.step('turn sending on: the last 7 days are queued', async () => {
    await tabTo(page, panel.getByRole('switch'), 'Shift+Tab');
    await page.keyboard.press('Space');
    await expect(panel.getByRole('switch')).toBeChecked();
    await expect(panel.getByTestId('conversions-backfill')).toContainText('last 7 days');
  });

  await test.step('dry run shows the JSON that would be sent, and sends nothing', async () => {
    await tabTo(page, panel.getByRole('button', { name: 'Dry run' }));
    await page.keyboard.press('Enter');
    const json = panel.getByTestId('conversions-dry-run');
    await expect(json).toBeVisible();
    const requests = JSON.parse((await json.textContent()) ?? '') as {
      POST: string;
      body: { data: Record<string, unknown>[] };
    }[];
    expect(requests).toHaveLength(1);
    expect(requests[0]!.POST).toMatch(new RegExp(`(^|/)${fake.datasets.get(WABA)}/events$`));
    expect(requests[0]!.body.data).toEqual([
      expect.objectContaining({
        event_name: 'LeadSubmitted',
        action_source: 'business_messaging',
        messaging_channel: 'whatsapp',
        user_data: { whatsapp_business_account_id: WABA, ctwa_clid: CLID },
      }),
    ]);
    expect(fake.eventRequests()).toHaveLength(0);
    await json.scrollIntoViewIfNeeded();
    await viewShot(page, 'conversions-dry-run-1024');
  });

  await test.step('send now; the status panel says Sent 1', async () => {
    await tabTo(page, panel.getByRole('button', { name: 'Send now' }));
    await page.keyboard.press('Enter');
    await expect(panel.getByTestId('conversions-send-result')).toContainText(/Sent \d conversions? in/);
    const count = (label: string) =>
      page
        .getByTestId('conversions-counts')
        .locator('div')
        .filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
        .locator('dd');
    await expect(count('Sent')).toHaveText('1');
    await expect(count('Pending')).toHaveText('0');
    await expect(page.getByTestId('conversions-entry')).toContainText('Sent');
    expect(fake.ledger.events).toEqual([
      expect.objectContaining({
        eventName: 'LeadSubmitted',
        wabaId: WABA,
        ctwaClid: CLID,
        testEventCode: null,
      }),
    ]);
    await page.getByTestId('conversions-entries').scrollIntoViewIfNeeded();
    await viewShot(page, 'conversions-status-1024');
    await panel.getByRole('switch').scrollIntoViewIfNeeded();
    await viewShot(page, 'conversions-panel-1024');
  });

  await test.step("the ad's drill-down says it was sent to Meta", async () => {
    await page.getByRole('button', { name: 'Back to the dashboard' }).first().focus();
    await page.keyboard.press('Enter');
    const row = page.locator(`[data-source-id="ad:${AD}"] .source-name`);
    await row.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('sent-to-meta')).toContainText('Sent to Meta: 1');
    await viewShot(page, 'conversions-drilldown-1024');
  });
});
