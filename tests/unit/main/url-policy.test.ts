import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  appOrigin,
  externalHttpsUrl,
  isAppUrl,
  isPermissionAllowed,
  isTrustedSender,
  navigationDecision,
} from '../../../src/main/url-policy';

const index = path.resolve('/opt/app/out/renderer/index.html');
const fileOrigin = appOrigin({ rendererIndex: index, packaged: false });
const appUrl = pathToFileURL(index).href;
const devOrigin = appOrigin({ rendererIndex: index, devServerUrl: 'http://localhost:5173', packaged: false });

describe('appOrigin', () => {
  it('uses the dev server only unpackaged and only on loopback http', () => {
    expect(devOrigin).toEqual({ kind: 'dev', origin: 'http://localhost:5173' });
    expect(
      appOrigin({ rendererIndex: index, devServerUrl: 'http://localhost:5173', packaged: true }).kind,
    ).toBe('file');
    expect(
      appOrigin({ rendererIndex: index, devServerUrl: 'http://evil.example:5173', packaged: false }).kind,
    ).toBe('file');
    expect(
      appOrigin({ rendererIndex: index, devServerUrl: 'https://localhost:5173', packaged: false }).kind,
    ).toBe('file');
    expect(appOrigin({ rendererIndex: index, devServerUrl: 'not a url', packaged: false }).kind).toBe('file');
  });
});

describe('isAppUrl', () => {
  it('accepts the renderer file with any hash or query', () => {
    expect(isAppUrl(appUrl, fileOrigin)).toBe(true);
    expect(isAppUrl(`${appUrl}#/settings`, fileOrigin)).toBe(true);
    expect(isAppUrl(`${appUrl}?x=1`, fileOrigin)).toBe(true);
  });

  it('refuses look-alikes that a prefix check would let through', () => {
    expect(isAppUrl(`${appUrl}.evil.html`, fileOrigin)).toBe(false);
    expect(isAppUrl(pathToFileURL('/opt/app/out/renderer/other.html').href, fileOrigin)).toBe(false);
    expect(isAppUrl('file:///opt/app/out/renderer/../../../etc/passwd', fileOrigin)).toBe(false);
    expect(isAppUrl('file://server/opt/app/out/renderer/index.html', fileOrigin)).toBe(false);
    expect(isAppUrl('https://opt/app/out/renderer/index.html', fileOrigin)).toBe(false);
    expect(isAppUrl('', fileOrigin)).toBe(false);
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
    expect(isTrustedSender({ url: appUrl, parent: null }, fileOrigin)).toBe(true);
    expect(isTrustedSender({ url: appUrl, parent: { url: appUrl } }, fileOrigin)).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', parent: null }, fileOrigin)).toBe(false);
    expect(isTrustedSender(null, fileOrigin)).toBe(false);
    expect(isTrustedSender(undefined, fileOrigin)).toBe(false);
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
    expect(navigationDecision(`${appUrl}#/x`, fileOrigin)).toEqual({ allow: true });
    expect(navigationDecision('https://example.com/a', fileOrigin)).toEqual({
      allow: false,
      openExternally: 'https://example.com/a',
    });
    expect(navigationDecision('http://example.com/', fileOrigin)).toEqual({
      allow: false,
      openExternally: null,
    });
    expect(navigationDecision('file:///etc/passwd', fileOrigin)).toEqual({
      allow: false,
      openExternally: null,
    });
  });
});

describe('isPermissionAllowed', () => {
  it('grants only clipboard writes, and only to the app page', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', appUrl, fileOrigin)).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com/', fileOrigin)).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', undefined, fileOrigin)).toBe(false);
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'clipboard-read',
      'fullscreen',
    ]) {
      expect(isPermissionAllowed(p, appUrl, fileOrigin), p).toBe(false);
    }
  });
});
