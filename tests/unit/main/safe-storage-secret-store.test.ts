import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BASIC_TEXT_WARNING,
  type SafeStorageLike,
  SafeStorageSecretStore,
  UNAVAILABLE_WARNING,
} from '../../../src/main/safe-storage-secret-store';

/** Stands in for Electron's safeStorage: a reversible transform keyed per "machine". */
function fakeSafeStorage(
  opts: { available?: boolean; backend?: string; key?: number } = {},
): SafeStorageLike {
  const key = opts.key ?? 0x5a;
  return {
    isEncryptionAvailable: () => opts.available ?? true,
    encryptString: (plain) =>
      Buffer.concat([Buffer.from([key]), Buffer.from(plain, 'utf8').map((b) => b ^ key)]),
    decryptString: (enc) => {
      if (enc[0] !== key)
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(enc.subarray(1).map((b) => b ^ key)).toString('utf8');
    },
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
  };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-secrets-'));
  file = path.join(dir, 'secrets.safe.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SafeStorageSecretStore', () => {
  it('round-trips values and keeps only ciphertext on disk, readable by the owner only', async () => {
    const store = new SafeStorageSecretStore(file, fakeSafeStorage(), 'linux');
    await store.set('default/dialog360.apiKey', 'D360-SECRET-abc');
    expect(await store.get('default/dialog360.apiKey')).toBe('D360-SECRET-abc');
    expect(fs.readFileSync(file, 'utf8')).not.toContain('D360-SECRET-abc');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(store.backend).toBe('safeStorage:gnome_libsecret');
    expect(store.warning).toBeNull();
  });

  it('returns null for unknown names and deletes', async () => {
    const store = new SafeStorageSecretStore(file, fakeSafeStorage(), 'linux');
    expect(await store.get('nope')).toBeNull();
    await store.set('a', '1');
    await store.set('b', '2');
    await store.delete('a');
    await store.delete('never-set');
    expect(await store.get('a')).toBeNull();
    expect(await store.get('b')).toBe('2');
  });

  it('warns when Linux falls back to basic_text', () => {
    const store = new SafeStorageSecretStore(file, fakeSafeStorage({ backend: 'basic_text' }), 'linux');
    expect(store.backend).toBe('safeStorage:basic_text');
    expect(store.warning).toBe(BASIC_TEXT_WARNING);
  });

  it('names the OS store on macOS and Windows without asking for a Linux backend', () => {
    const safe = { ...fakeSafeStorage(), getSelectedStorageBackend: () => 'basic_text' };
    expect(new SafeStorageSecretStore(file, safe, 'darwin')).toMatchObject({
      backend: 'safeStorage:keychain',
      warning: null,
    });
    expect(new SafeStorageSecretStore(file, safe, 'win32')).toMatchObject({
      backend: 'safeStorage:dpapi',
      warning: null,
    });
  });

  it('stores unencrypted in the 0600 file with a warning when encryption is unavailable', async () => {
    const store = new SafeStorageSecretStore(file, fakeSafeStorage({ available: false }), 'linux');
    expect(store.warning).toBe(UNAVAILABLE_WARNING);
    await store.set('k', 'v');
    expect(await store.get('k')).toBe('v');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('says which secret cannot be decrypted (copied data folder) without revealing anything', async () => {
    await new SafeStorageSecretStore(file, fakeSafeStorage({ key: 1 }), 'linux').set(
      'default/meta.token',
      'EAAG-token',
    );
    const elsewhere = new SafeStorageSecretStore(file, fakeSafeStorage({ key: 2 }), 'linux');
    await expect(elsewhere.get('default/meta.token')).rejects.toThrow(/default\/meta\.token.*enter it again/);
    await expect(elsewhere.get('default/meta.token')).rejects.not.toThrow(/EAAG/);
  });

  it('refuses a damaged file instead of overwriting the other secrets', async () => {
    fs.writeFileSync(file, '{not json');
    const store = new SafeStorageSecretStore(file, fakeSafeStorage(), 'linux');
    await expect(store.set('a', '1')).rejects.toThrow(/damaged/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{not json');
  });

  it('treats "__proto__" as an ordinary name', async () => {
    const store = new SafeStorageSecretStore(file, fakeSafeStorage(), 'linux');
    await store.set('__proto__', 'x');
    expect(await store.get('__proto__')).toBe('x');
    expect(await store.get('toString')).toBeNull();
  });
});
