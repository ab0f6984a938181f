#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
// The `insights` command: runs the built CLI, building it first on a fresh checkout.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'out', 'cli', 'index.js');
if (!existsSync(entry)) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-core.mjs')], { stdio: 'inherit' });
}
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv);
