import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  electronNativePath,
  ensureElectronNative,
  type RebuildOptions,
} from '../../../scripts/electron-native.mjs';

// scripts/electron-native.mjs with @electron/rebuild replaced: the point under test is that the
// Electron build happens in a fenced staging copy and never touches node_modules/better-sqlite3.

let project: string;
const nodeBinary = () =>
  path.join(project, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-native-'));
  const pkg = path.join(project, 'node_modules', 'better-sqlite3');
  fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
  fs.mkdirSync(path.join(pkg, 'lib'), { recursive: true });
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'better-sqlite3', version: '12.11.1' }),
  );
  fs.writeFileSync(path.join(pkg, 'lib', 'index.js'), 'module.exports = {};');
  fs.writeFileSync(path.join(pkg, 'binding.gyp'), '{}');
  fs.writeFileSync(nodeBinary(), 'NODE-ABI');
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

/** Plays @electron/rebuild: compiles "for Electron" into the module it was pointed at. */
function fakeRebuild(calls: RebuildOptions[]) {
  return async (options: RebuildOptions) => {
    calls.push(options);
    const moduleDir = path.join(options.buildPath, 'node_modules', 'better-sqlite3');
    expect(fs.existsSync(path.join(moduleDir, 'build')), 'the staging copy starts without a build').toBe(
      false,
    );
    expect(fs.existsSync(path.join(moduleDir, 'binding.gyp'))).toBe(true);
    fs.mkdirSync(path.join(moduleDir, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(
      path.join(moduleDir, 'build', 'Release', 'better_sqlite3.node'),
      `ELECTRON-${options.electronVersion}`,
    );
  };
}

describe('ensureElectronNative', () => {
  it('builds into .electron-native/<version>-<platform>-<arch> and leaves node_modules alone', async () => {
    const calls: RebuildOptions[] = [];
    const out = await ensureElectronNative({
      projectRoot: project,
      electronVersion: '39.8.10',
      platform: 'linux',
      arch: 'x64',
      rebuild: fakeRebuild(calls),
      log: () => {},
    });
    expect(out).toBe(electronNativePath(project, '39.8.10', 'linux', 'x64'));
    expect(fs.readFileSync(out, 'utf8')).toBe('ELECTRON-39.8.10');
    expect(fs.readFileSync(nodeBinary(), 'utf8')).toBe('NODE-ABI');

    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.onlyModules).toEqual(['better-sqlite3']);
    // Fenced: the walk for modules to rebuild stops at the staging folder, inside .electron-native.
    expect(call.projectRootPath).toBe(call.buildPath);
    expect(path.relative(path.join(project, '.electron-native'), call.buildPath).startsWith('..')).toBe(
      false,
    );
    // The staging copy is gone; only the binary is kept.
    expect(fs.readdirSync(path.join(project, '.electron-native'))).toEqual(['39.8.10-linux-x64']);
  });

  it('does nothing when the build exists, and rebuilds on force', async () => {
    const calls: RebuildOptions[] = [];
    const opts = {
      projectRoot: project,
      electronVersion: '39.8.10',
      platform: 'linux',
      arch: 'x64',
      log: () => {},
    };
    await ensureElectronNative({ ...opts, rebuild: fakeRebuild(calls) });
    await ensureElectronNative({ ...opts, rebuild: fakeRebuild(calls) });
    expect(calls).toHaveLength(1);
    await ensureElectronNative({ ...opts, force: true, rebuild: fakeRebuild(calls) });
    expect(calls).toHaveLength(2);
  });

  it('keeps no half-made binary when the build fails', async () => {
    await expect(
      ensureElectronNative({
        projectRoot: project,
        electronVersion: '39.8.10',
        platform: 'linux',
        arch: 'x64',
        log: () => {},
        rebuild: async () => {
          throw new Error('gyp ERR! find Python');
        },
      }),
    ).rejects.toThrow(/find Python/);
    expect(fs.existsSync(electronNativePath(project, '39.8.10', 'linux', 'x64'))).toBe(false);
    expect(fs.readdirSync(path.join(project, '.electron-native'))).toEqual([]);
    expect(fs.readFileSync(nodeBinary(), 'utf8')).toBe('NODE-ABI');
  });
});
