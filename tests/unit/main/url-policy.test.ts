import { describe, expect, it } from 'vitest';
import {
  appOrigin,
  externalHttpsUrl,
  isAppUrl,
  isPermissionAllowed,
  isTrustedSender,
  navigationDecision,
} from '../../../src/main/url-policy';

const appOriginOf = appOrigin({ packaged: false });
const appUrl = 'app://insights/index.html';
const devOrigin = appOrigin({ devServerUrl: 'http://localhost:5173', packaged: false });

describe('appOrigin', () => {
  it('uses the dev server only unpackaged and only on loopback http, else the app:// protocol', () => {
    expect(devOrigin).toEqual({ kind: 'dev', origin: 'http://localhost:5173' });
    expect(appOriginOf).toEqual({ kind: 'app' });
    expect(appOrigin({ devServerUrl: 'http://localhost:5173', packaged: true }).kind).toBe('app');
    expect(appOrigin({ devServerUrl: 'http://evil.example:5173', packaged: false }).kind).toBe('app');
    expect(appOrigin({ devServerUrl: 'https://localhost:5173', packaged: false }).kind).toBe('app');
    expect(appOrigin({ devServerUrl: 'not a url', packaged: false }).kind).toBe('app');
  });
});

describe('isAppUrl', () => {
  it('accepts the app page with any hash or query', () => {
    expect(isAppUrl(appUrl, appOriginOf)).toBe(true);
    expect(isAppUrl('app://insights/', appOriginOf)).toBe(true);
    expect(isAppUrl(`${appUrl}#/settings`, appOriginOf)).toBe(true);
    expect(isAppUrl(`${appUrl}?x=1`, appOriginOf)).toBe(true);
  });

  it('refuses look-alikes that a prefix check would let through', () => {
    expect(isAppUrl(`${appUrl}.evil.html`, appOriginOf)).toBe(false);
    expect(isAppUrl('app://insights/assets/index.js', appOriginOf)).toBe(false);
    expect(isAppUrl('app://insights.evil/index.html', appOriginOf)).toBe(false);
    expect(isAppUrl('app://user@insights/index.html', appOriginOf)).toBe(false);
    expect(isAppUrl('file:///opt/app/out/renderer/index.html', appOriginOf)).toBe(false);
    expect(isAppUrl('https://insights/index.html', appOriginOf)).toBe(false);
    expect(isAppUrl('', appOriginOf)).toBe(false);
  });

  it('compares the dev server by origin, not by prefix', () => {
    expect(isAppUrl('http://localhost:5173/#/x', devOrigin)).toBe(true);
    expect(isAppUrl('http://localhost:5173.evil.com/', devOrigin)).toBe(false);
    expect(isAppUrl('http://localhost:5174/', devOrigin)).toBe(false);
    expect(isAppUrl('http://localhost:5173@evil.com/', devOrigin)).toBe(false);
    expect(isAppUrl(appUrl, devOrigin)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  it('answers only the top frame of the app page', () => {
    expect(isTrustedSender({ url: appUrl, parent: null }, appOriginOf)).toBe(true);
    expect(isTrustedSender({ url: appUrl, parent: { url: appUrl } }, appOriginOf)).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', parent: null }, appOriginOf)).toBe(false);
    expect(isTrustedSender(null, appOriginOf)).toBe(false);
    expect(isTrustedSender(undefined, appOriginOf)).toBe(false);
  });
});

describe('externalHttpsUrl', () => {
  it('passes parsed https URLs with a host', () => {
    expect(externalHttpsUrl('https://docs.360dialog.com/path?q=1')).toBe(
      'https://docs.360dialog.com/path?q=1',
    );
    expect(externalHttpsUrl('HTTPS://Example.COM')).toBe('https://example.com/');
  });

  it('refuses every other scheme, credentials and non-strings', () => {
    for (const bad of [
      'http://example.com',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'smb://host/share',
      'data:text/html,hi',
      'https://user:pw@example.com/',
      'https://user@example.com/',
      'example.com',
      ' ',
    ]) {
      expect(externalHttpsUrl(bad), bad).toBeNull();
    }
    expect(externalHttpsUrl(42)).toBeNull();
    expect(externalHttpsUrl(`https://example.com/${'a'.repeat(5000)}`)).toBeNull();
  });
});

describe('navigationDecision', () => {
  it('stays on the app page, sends https elsewhere to the system browser and drops the rest', () => {
    expect(navigationDecision(`${appUrl}#/x`, appOriginOf)).toEqual({ allow: true });
    expect(navigationDecision('https://example.com/a', appOriginOf)).toEqual({
      allow: false,
      openExternally: 'https://example.com/a',
    });
    expect(navigationDecision('http://example.com/', appOriginOf)).toEqual({
      allow: false,
      openExternally: null,
    });
    expect(navigationDecision('file:///etc/passwd', appOriginOf)).toEqual({
      allow: false,
      openExternally: null,
    });
  });
});

describe('isPermissionAllowed', () => {
  it('grants only clipboard writes, and only to the app page', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', appUrl, appOriginOf)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com/', appOriginOf)).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', undefined, appOriginOf)).toBe(false);
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'clipboard-read',
      'fullscreen',
    ]) {
      expect(isPermissionAllowed(p, appUrl, appOriginOf), p).toBe(false);
    }
  });
});
