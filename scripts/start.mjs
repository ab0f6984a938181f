// `npm start`: builds what is missing or older than its sources, then opens the Electron app; where
// the Electron binary is not installed (offline installs, CI) it says so in one line and starts
// browser mode (`insights serve`) instead. Arguments after `npm start --` reach either of them
// (--data-dir DIR, --workspace NAME, --port N).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

/** Newest modification time under the given files and folders (0 when none exist). */
export function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(p);
  return newest;
}

/** True when an output is missing or older than any of its inputs. */
export function isStale(outputs, inputs) {
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const out of outputs) {
    if (!fs.existsSync(out)) return true;
    oldestOutput = Math.min(oldestOutput, fs.statSync(out).mtimeMs);
  }
  return newestMtime(inputs) > oldestOutput;
}

/** The Electron executable, or null where the binary was never downloaded. */
export function electronBinary() {
  try {
    const bin = require('electron');
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    // node_modules/electron throws when its download step was skipped (no path.txt).
    return null;
  }
}

function run(file, argv) {
  const r = spawnSync(file, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function build() {
  const at = (...p) => p.map((x) => path.join(root, x));
  const shellOutputs = at('out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html');
  const shellInputs = at(
    'src/main',
    'src/preload',
    'src/renderer',
    'src/shared',
    'src/core',
    'electron.vite.config.ts',
  );
  if (isStale(shellOutputs, shellInputs)) {
    run(process.execPath, [
      path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
      'build',
    ]);
  }
  if (isStale(at('out/core/worker.js', 'out/cli/index.js'), at('src/core', 'src/cli', 'src/shared'))) {
    run(process.execPath, [path.join(root, 'scripts', 'build-core.mjs')]);
  }
  // The demo template (docs/demo.md): once per version, so the first "Explore demo data" takes seconds.
  run(process.execPath, [path.join(root, 'out', 'demo', 'build-template.js')]);
}

/** Runs a child with the terminal, passes Ctrl-C on, and exits with its code. */
function handOver(file, argv, env = process.env) {
  const child = spawn(file, argv, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function browserMode(reason) {
  process.stdout.write(`${reason}; starting browser mode instead.\n`);
  handOver(process.execPath, [path.join(root, 'bin', 'insights.js'), 'serve', ...args]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build();
  const electron = electronBinary();
  if (!electron) {
    browserMode('Electron is not installed here (offline install)');
  } else {
    const { ensureElectronNative } = await import('./electron-native.mjs');
    let nativeReady = true;
    try {
      await ensureElectronNative();
    } catch (err) {
      nativeReady = false;
      process.stderr.write(`electron-native: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    if (!nativeReady) browserMode('better-sqlite3 could not be built for Electron');
    else {
      // ELECTRON_RUN_AS_NODE (set by some tools) would make the binary a plain Node.
      const { ELECTRON_RUN_AS_NODE: _ignored, ...env } = process.env;
      handOver(electron, [root, ...args], env);
    }
  }
}
