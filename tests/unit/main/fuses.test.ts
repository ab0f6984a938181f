import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FuseOptionsV1 } from 'app-builder-lib';
import { describe, expect, it } from 'vitest';

// The packaged app's Electron fuses (electron-builder.yml → @electron/fuses), checked as configuration:
// the Electron binary cannot be downloaded here, so the packaged result is not inspected.
// https://www.electronjs.org/docs/latest/tutorial/fuses

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const config = yaml.load(fs.readFileSync(path.join(__dirname, '../../../electron-builder.yml'), 'utf8')) as {
  electronFuses?: Record<string, unknown>;
  asar?: unknown;
};

/** Every fuse electron-builder knows (the type fails to compile if the installed version differs). */
const KNOWN = {
  runAsNode: true,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: true,
  enableNodeCliInspectArguments: true,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: true,
  grantFileProtocolExtraPrivileges: true,
  resetAdHocDarwinSignature: true,
} satisfies Record<keyof FuseOptionsV1, true>;

describe('Electron fuses', () => {
  it('names only fuses electron-builder knows, each a boolean', () => {
    const fuses = config.electronFuses ?? {};
    for (const [name, value] of Object.entries(fuses)) {
      expect(Object.keys(KNOWN)).toContain(name);
      expect(typeof value).toBe('boolean');
    }
  });

  it('loads only an integrity-checked app.asar, and no Node entry points', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
  });

  it('gives file:// no extra privileges: the renderer loads from app://', () => {
    expect(config.electronFuses).toMatchObject({ grantFileProtocolExtraPrivileges: false });
  });
});
