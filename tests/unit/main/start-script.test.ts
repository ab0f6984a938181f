import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStale } from '../../../scripts/start.mjs';

// `npm start` rebuilds only what is missing or older than its sources.

let dir: string;
const at = (p: string) => path.join(dir, p);
function write(p: string, mtimeSeconds: number) {
  fs.mkdirSync(path.dirname(at(p)), { recursive: true });
  fs.writeFileSync(at(p), p);
  fs.utimesSync(at(p), mtimeSeconds, mtimeSeconds);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-start-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('isStale', () => {
  it('is true when an output is missing', () => {
    write('src/a.ts', 1000);
    write('out/a.js', 2000);
    expect(isStale([at('out/a.js'), at('out/b.js')], [at('src')])).toBe(true);
  });

  it('is true when any source, however deep, is newer than the oldest output', () => {
    write('out/a.js', 2000);
    write('out/b.js', 3000);
    write('src/x/y/z.ts', 1000);
    expect(isStale([at('out/a.js'), at('out/b.js')], [at('src')])).toBe(false);
    write('src/x/y/new.ts', 2500);
    expect(isStale([at('out/a.js'), at('out/b.js')], [at('src')])).toBe(true);
  });

  it('ignores inputs that do not exist', () => {
    write('out/a.js', 2000);
    expect(isStale([at('out/a.js')], [at('src'), at('electron.vite.config.ts')])).toBe(false);
  });
});
