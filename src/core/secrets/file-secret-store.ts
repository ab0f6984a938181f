import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../db/private-files';
import type { SecretStore } from './secret-store';

/**
 * Browser mode and CLI: a JSON file readable by the owner only (0600). Weaker than safeStorage,
 * which is why the desktop app uses safeStorage; said plainly in docs/security.md.
 */
export class FileSecretStore implements SecretStore {
  readonly backend = 'file-0600';
  readonly warning = null;
  constructor(private readonly file: string) {}

  private read(): Record<string, string> {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`The secrets file ${this.file} is unreadable`);
    }
  }

  private write(all: Record<string, string>): void {
    ensurePrivateDir(path.dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    fs.chmodSync(this.file, 0o600);
  }

  async get(name: string): Promise<string | null> {
    return this.read()[name] ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    const all = this.read();
    all[name] = value;
    this.write(all);
  }
  async delete(name: string): Promise<void> {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    this.write(all);
  }
}
