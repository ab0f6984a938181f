import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronNativePath } from '../../../scripts/electron-native.mjs';
import { bundlePaths, unpackedPath } from '../../../src/main/bundle-paths';
import { electronNativeKey, nativeBindingPath } from '../../../src/main/native-binding';

const base = {
  electronVersion: '39.8.10',
  platform: 'linux',
  arch: 'x64',
  resourcesPath: '/opt/Insights Desktop/resources',
  appRoot: '/home/me/insights',
};

describe('nativeBindingPath', () => {
  it('uses the per-version, per-platform, per-arch build in .electron-native when running from a checkout', () => {
    expect(nativeBindingPath({ ...base, packaged: false })).toBe(
      path.join('/home/me/insights', '.electron-native', '39.8.10-linux-x64', 'better_sqlite3.node'),
    );
  });

  it('never points a checkout at the Node build in node_modules', () => {
    for (const [platform, arch] of [
      ['linux', 'x64'],
      ['darwin', 'arm64'],
      ['win32', 'ia32'],
    ] as const) {
      const p = nativeBindingPath({ ...base, platform, arch, packaged: false });
      expect(p).not.toContain('node_modules');
      expect(p).toContain(`39.8.10-${platform}-${arch}`);
    }
  });

  it('changes with the Electron version, so an upgrade builds a new binary instead of loading a stale one', () => {
    const a = nativeBindingPath({ ...base, packaged: false });
    const b = nativeBindingPath({ ...base, electronVersion: '40.0.0', packaged: false });
    expect(a).not.toBe(b);
  });

  it('uses resources/native (outside app.asar) in a packaged app', () => {
    const p = nativeBindingPath({ ...base, packaged: true });
    expect(p).toBe(path.join('/opt/Insights Desktop/resources', 'native', 'better_sqlite3.node'));
    expect(p).not.toContain('app.asar');
  });

  it('agrees with the path scripts/electron-native.mjs builds to', () => {
    expect(nativeBindingPath({ ...base, packaged: false })).toBe(
      electronNativePath(base.appRoot, base.electronVersion, base.platform, base.arch),
    );
    expect(electronNativeKey('39.8.10', 'darwin', 'arm64')).toBe('39.8.10-darwin-arm64');
  });
});

describe('bundlePaths', () => {
  it('finds preload, renderer and worker beside out/main in a checkout', () => {
    const p = bundlePaths(path.join('/repo', 'out', 'main'), false);
    expect(p).toEqual({
      preload: path.join('/repo', 'out', 'preload', 'index.cjs'),
      rendererIndex: path.join('/repo', 'out', 'renderer', 'index.html'),
      worker: path.join('/repo', 'out', 'core', 'worker.js'),
    });
  });

  it('loads the worker from app.asar.unpacked in a packaged app, the rest from the archive', () => {
    const mainDir = path.join('/opt/app/resources', 'app.asar', 'out', 'main');
    const p = bundlePaths(mainDir, true);
    expect(p.worker).toBe(path.join('/opt/app/resources', 'app.asar.unpacked', 'out', 'core', 'worker.js'));
    expect(p.rendererIndex).toBe(
      path.join('/opt/app/resources', 'app.asar', 'out', 'renderer', 'index.html'),
    );
  });

  it('rewrites only the archive segment itself', () => {
    expect(unpackedPath(path.join('/a', 'app.asar.d', 'x.js'))).toBe(path.join('/a', 'app.asar.d', 'x.js'));
    expect(unpackedPath(path.join('/a', 'app.asar', 'x.js'))).toBe(
      path.join('/a', 'app.asar.unpacked', 'x.js'),
    );
  });
});
