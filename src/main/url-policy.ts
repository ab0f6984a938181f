import { APP_HOST, APP_SCHEME } from './app-protocol';

// Pure URL decisions of the Electron shell (unit-tested; src/main/security.ts and ipc wire them up).
// Every decision parses the URL: prefix checks such as startsWith('file://') are what the Electron
// security checklist warns against (`file:///app/index.html.evil`, `https://app.example.com@evil`).

/** Where the app's own page comes from: the built renderer on app:// (app-protocol.ts), or the dev server (`electron-vite dev`). */
export type AppOrigin = { kind: 'app' } | { kind: 'dev'; origin: string };

/**
 * The dev server is honoured only in an unpackaged app and only on loopback: otherwise an environment
 * variable could point a window that holds the preload bridge at a foreign page.
 */
export function appOrigin(opts: { devServerUrl?: string | undefined; packaged: boolean }): AppOrigin {
  if (!opts.packaged && opts.devServerUrl) {
    const url = parse(opts.devServerUrl);
    if (url && url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
      return { kind: 'dev', origin: url.origin };
    }
  }
  return { kind: 'app' };
}

/** True when `raw` is the app's own page (any hash or query): the only page allowed to hold the bridge. */
export function isAppUrl(raw: string, origin: AppOrigin): boolean {
  const url = parse(raw);
  if (!url) return false;
  if (origin.kind === 'dev') return url.origin === origin.origin;
  // The page itself, not another file the protocol serves (a script, an icon).
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.host === APP_HOST &&
    url.username === '' &&
    url.password === '' &&
    (url.pathname === '/index.html' || url.pathname === '/')
  );
}

/** The part of Electron's WebFrameMain the sender check needs. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** IPC is answered only for the top frame of the app's own page: never a sub-frame, never another page. */
export function isTrustedSender(frame: FrameLike | null | undefined, origin: AppOrigin): boolean {
  if (!frame) return false;
  if (frame.parent !== null && frame.parent !== undefined) return false;
  return isAppUrl(frame.url, origin);
}

/** A URL we hand to the operating system: https only, with a host and without embedded credentials. */
export function externalHttpsUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 4096) return null;
  const url = parse(raw);
  if (url?.protocol !== 'https:' || url.hostname === '') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

export type NavigationDecision = { allow: true } | { allow: false; openExternally: string | null };

/** will-navigate / will-redirect / window.open: stay on the app page; https links go to the system browser. */
export function navigationDecision(raw: string, origin: AppOrigin): NavigationDecision {
  if (isAppUrl(raw, origin)) return { allow: true };
  return { allow: false, openExternally: externalHttpsUrl(raw) };
}

/** Permissions the app page may have (copy buttons use the async clipboard); everything else is denied. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(
  permission: string,
  requestingUrl: string | null | undefined,
  origin: AppOrigin,
): boolean {
  return (
    ALLOWED_PERMISSIONS.has(permission) &&
    typeof requestingUrl === 'string' &&
    isAppUrl(requestingUrl, origin)
  );
}

function parse(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}
