import fs from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../core/secrets/secret-store';

/** The part of Electron's safeStorage this store uses (a fake stands in for it in unit tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

type Entry = { enc: 'safeStorage'; data: string } | { enc: 'plain'; data: string };
interface FileShape {
  version: 1;
  entries: Record<string, Entry>;
}

export const BASIC_TEXT_WARNING =
  'No system keyring was found (GNOME Keyring / KWallet), so API keys are only obfuscated with a fixed key. ' +
  'Anyone who can read your user files can read them.';
export const UNAVAILABLE_WARNING =
  'Encryption is not available on this system: API keys are stored unencrypted in a file only your user can read.';

/**
 * Secrets of the desktop app: each value encrypted with Electron's safeStorage (Keychain on macOS,
 * DPAPI on Windows, the secret service on Linux) and kept as base64 in a JSON file (mode 0600).
 * Where safeStorage falls back to `basic_text` (Linux without a keyring) or is unavailable, `warning`
 * says so and the UI shows it (app.info → secretWarning). Values are never logged.
 * Must be constructed after app 'ready': safeStorage reports its backend only then.
 */
export class SafeStorageSecretStore implements SecretStore {
  readonly backend: string;
  readonly warning: string | null;
  private readonly encrypt: boolean;

  constructor(
    private readonly file: string,
    private readonly safe: SafeStorageLike,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.encrypt = safe.isEncryptionAvailable();
    const linuxBackend = platform === 'linux' ? safe.getSelectedStorageBackend?.() : undefined;
    if (!this.encrypt) {
      this.backend = 'plain-file-0600';
      this.warning = UNAVAILABLE_WARNING;
    } else if (linuxBackend === 'basic_text') {
      this.backend = 'safeStorage:basic_text';
      this.warning = BASIC_TEXT_WARNING;
    } else {
      this.backend = `safeStorage:${linuxBackend ?? (platform === 'darwin' ? 'keychain' : platform === 'win32' ? 'dpapi' : 'os')}`;
      this.warning = null;
    }
  }

  async get(name: string): Promise<string | null> {
    const entry = this.read().entries[name];
    if (!entry) return null;
    if (entry.enc === 'plain') return entry.data;
    if (!this.encrypt)
      throw new Error(`The secret "${name}" was encrypted, but encryption is unavailable now`);
    try {
      return this.safe.decryptString(Buffer.from(entry.data, 'base64'));
    } catch {
      // Another user's or machine's key (a copied data folder): say which secret, never its content.
      throw new Error(`The secret "${name}" cannot be decrypted on this system; enter it again`);
    }
  }

  async set(name: string, value: string): Promise<void> {
    const all = this.read();
    all.entries[name] = this.encrypt
      ? { enc: 'safeStorage', data: this.safe.encryptString(value).toString('base64') }
      : { enc: 'plain', data: value };
    this.write(all);
  }

  async delete(name: string): Promise<void> {
    const all = this.read();
    if (!Object.hasOwn(all.entries, name)) return;
    delete all.entries[name];
    this.write(all);
  }

  private read(): FileShape {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { version: 1, entries: Object.create(null) };
      throw new Error(`The secrets file ${this.file} is unreadable`);
    }
    try {
      const parsed = JSON.parse(text) as Partial<FileShape>;
      if (parsed.version !== 1 || typeof parsed.entries !== 'object' || parsed.entries === null)
        throw new Error();
      // A null-prototype copy: a secret named "__proto__" stays an ordinary key.
      return {
        version: 1,
        entries: Object.assign(Object.create(null), parsed.entries) as Record<string, Entry>,
      };
    } catch {
      throw new Error(`The secrets file ${this.file} is damaged`);
    }
  }

  private write(all: FileShape): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    fs.chmodSync(this.file, 0o600);
  }
}
