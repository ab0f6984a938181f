import fs from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { SECURITY_HEADERS } from '../shared/security-headers';

// The built renderer is served from app://insights/ instead of file:// (Electron's security checklist,
// https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols):
// a page on file:// may read any file:// URL, this one only the files of out/renderer. The scheme is
// "standard" (URLs resolve like http, so the page has an origin and relative paths work) and "secure"
// (https://www.electronjs.org/docs/latest/api/protocol#protocolregisterschemesasprivilegedcustomschemes).

export const APP_SCHEME = 'app';
export const APP_HOST = 'insights';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Must run before the app is ready: privileges are fixed when Chromium starts. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/**
 * The file of `rendererDir` an app:// URL names, or null: another scheme or host, a path leaving the
 * folder (also percent-encoded or with backslashes), a hidden file, or an unknown type. `/` is index.html.
 */
export function resolveAppFile(rendererDir: string, raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const segments = rel.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, ...segments);
  const inside = path.relative(root, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null;
  if (!(path.extname(file).toLowerCase() in TYPES)) return null;
  return file;
}

/** A Fetch Response for an app:// request: the file with the app's security headers, else 404. */
export async function appResponse(rendererDir: string, raw: string): Promise<Response> {
  const file = resolveAppFile(rendererDir, raw);
  const notFound = () =>
    new Response('Not found', {
      status: 404,
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain' },
    });
  if (!file) return notFound();
  try {
    const body = await fs.readFile(file);
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        ...SECURITY_HEADERS,
        'content-type': TYPES[path.extname(file).toLowerCase()]!,
        'cache-control': 'no-cache',
      },
    });
  } catch {
    return notFound();
  }
}

/** Serves out/renderer on app://insights/ for the session whose protocol this is. */
export function serveApp(protocol: Protocol, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (req) => appResponse(rendererDir, req.url));
}
