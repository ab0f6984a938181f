import { expect, test } from './fixtures';

test('browser mode serves the app: the page loads, its title names Insights and the API answers', async ({
  page,
  api,
  saveScreenshot,
}) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await expect(page).toHaveTitle(/Insights/);
  // The token came in the URL fragment and is removed from the address bar once read.
  await expect.poll(() => new URL(page.url()).hash).toBe('');
  const info = await api('app.info', {});
  expect(info.mode).toBe('browser');
  expect(info.secretBackend).toBe('file-0600');
  await expect(page.getByText(/Loading Insights/)).toHaveCount(0, { timeout: 30_000 });
  await saveScreenshot('smoke-browser-mode');
  expect(pageErrors).toEqual([]);
});

test('the API refuses calls without the token', async ({ server }) => {
  const res = await fetch(`${server.origin}/api/app.info`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workspace: 'default', args: {} }),
  });
  expect(res.status).toBe(401);
});
