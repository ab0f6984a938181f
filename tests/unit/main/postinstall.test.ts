import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadFailureReason } from '../../../scripts/postinstall.mjs';

// `npm install` where Electron's binary cannot be downloaded: the root postinstall runs Electron's own
// install script, and where it fails prints one line and succeeds. Run here against a stand-in
// node_modules/electron whose install script fails or "downloads".

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-postinstall-'));
  for (const f of ['postinstall.mjs', 'start.mjs'])
    fs.cpSync(path.join(ROOT, 'scripts', f), path.join(dir, 'scripts', f));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  const electron = path.join(dir, 'node_modules', 'electron');
  fs.mkdirSync(electron, { recursive: true });
  fs.writeFileSync(path.join(electron, 'package.json'), '{"name":"electron","version":"39.0.0"}');
  // Same contract as the real index.js: the binary's path, or a throw when path.txt is missing.
  fs.writeFileSync(
    path.join(electron, 'index.js'),
    `const fs = require('fs'), path = require('path');
     const p = path.join(__dirname, 'path.txt');
     if (!fs.existsSync(p)) throw new Error('Electron failed to install correctly');
     module.exports = path.join(__dirname, 'dist', fs.readFileSync(p, 'utf8'));`,
  );
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function installScript(body: string) {
  fs.writeFileSync(path.join(dir, 'node_modules', 'electron', 'install.js'), body);
}
const run = () =>
  spawnSync(process.execPath, [path.join(dir, 'scripts', 'postinstall.mjs')], { encoding: 'utf8' });

describe('postinstall', () => {
  it('succeeds with one line saying the window is unavailable when the download fails', () => {
    installScript(
      `console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest.<anonymous> (x.js:1:1)'); process.exit(1);`,
    );
    const r = run();
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('getaddrinfo ENOTFOUND github.com');
    expect(lines[0]).toContain('desktop window is unavailable');
    expect(lines[0]).toContain('`npm start` opens browser mode');
    expect(r.stderr).toBe('');
  });

  it('prints nothing where the download works', () => {
    installScript(
      `const fs = require('fs'), path = require('path');
       fs.mkdirSync(path.join(__dirname, 'dist'));
       fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), '');
       fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');`,
    );
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(path.join(dir, 'node_modules', 'electron', 'dist', 'electron'))).toBe(true);
  });

  it('does not download again when the binary is there', () => {
    installScript(`process.exit(1);`);
    fs.mkdirSync(path.join(dir, 'node_modules', 'electron', 'dist'));
    fs.writeFileSync(path.join(dir, 'node_modules', 'electron', 'dist', 'electron'), '');
    fs.writeFileSync(path.join(dir, 'node_modules', 'electron', 'path.txt'), 'electron');
    const r = run();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('downloadFailureReason', () => {
  it('keeps the first message line without the error class or stack', () => {
    expect(
      downloadFailureReason('RequestError: connect ETIMEDOUT 1.2.3.4:443\n    at foo (bar.js:1:2)\n'),
    ).toBe('connect ETIMEDOUT 1.2.3.4:443');
    expect(downloadFailureReason('')).toBeNull();
  });
});

describe('need-electron', () => {
  it('names what is missing and fails', () => {
    fs.cpSync(
      path.join(ROOT, 'scripts', 'need-electron.mjs'),
      path.join(dir, 'scripts', 'need-electron.mjs'),
    );
    installScript('');
    const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'need-electron.mjs'), 'dist'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("npm run dist needs Electron's binary, which is not installed here");
  });
});
