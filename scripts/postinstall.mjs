// Root `postinstall`: downloads Electron's binary, and where that fails says so in one line instead of
// failing the whole `npm install`.
//
// Electron's own install script is denied in package.json#allowScripts (npm's install-script policy,
// https://docs.npmjs.com/cli/v11/configuring-npm/package-json#allowscripts): where its download cannot
// reach the network it exits 1 and npm would stop. This script runs that same install script
// (node_modules/electron/install.js: download, checksum, unpack), so on a machine that can download,
// Electron installs exactly as before; elsewhere the package stays without its binary (types, version
// and electron-vite keep working) and `npm start` opens browser mode.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './start.mjs';

const require = createRequire(import.meta.url);

/** The first line of a failed download that says why (e.g. "getaddrinfo ENOTFOUND …"), or null. */
export function downloadFailureReason(stderr) {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at '));
  return lines[0] ? lines[0].replace(/^\w*Error:\s*/, '').slice(0, 160) : null;
}

export function unavailableLine(reason) {
  return `Electron's binary is not installed${reason ? ` (${reason})` : ''}: the desktop window is unavailable here, and \`npm start\` opens browser mode instead (\`npm run postinstall\` tries the download again).`;
}

function main() {
  let installScript;
  try {
    installScript = require.resolve('electron/install.js');
  } catch {
    return; // `npm install --omit=dev`: no Electron wanted
  }
  let reason = null;
  if (!electronBinary()) {
    const r = spawnSync(process.execPath, [installScript], {
      cwd: path.dirname(installScript),
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
    });
    if (r.status !== 0) reason = downloadFailureReason(r.stderr ?? '') ?? `exit code ${r.status}`;
  }
  if (!electronBinary()) process.stdout.write(`${unavailableLine(reason)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
