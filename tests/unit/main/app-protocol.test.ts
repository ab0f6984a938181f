import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, appResponse, resolveAppFile } from '../../../src/main/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../../src/shared/security-headers';

// The app:// protocol the desktop window loads the renderer from (the Electron binary is not needed:
// the handler is a plain function from a URL to a Fetch Response).

let root: string;
let dir: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-app-protocol-'));
  dir = path.join(root, 'renderer');
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Insights</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, '.env'), 'SECRET=1');
  fs.writeFileSync(path.join(root, 'secrets.json'), '{"token":"x"}');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('serves the renderer files with the security headers', async () => {
    const page = await appResponse(dir, APP_INDEX_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<title>Insights</title>');
    const script = await appResponse(dir, 'app://insights/assets/index-abc.js?v=1#x');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    expect(resolveAppFile(dir, 'app://insights/')).toBe(path.join(dir, 'index.html'));
  });

  it('never serves a file outside the renderer folder, a hidden file or another host', async () => {
    for (const url of [
      'app://insights/../secrets.json',
      'app://insights/%2e%2e/secrets.json',
      'app://insights/assets/%2e%2e%2f%2e%2e%2fsecrets.json',
      'app://insights/..%5csecrets.json',
      'app://insights/%00index.html',
      'app://insights/%E0%A4%A',
      'app://insights/.env',
      'app://other/index.html',
      'file:///etc/passwd',
      'app://insights/missing.js',
      'app://insights/assets',
      'not a url',
    ]) {
      const res = await appResponse(dir, url);
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).toBe('Not found');
    }
  });
});
