// Builds better-sqlite3 for Electron into its own folder, leaving node_modules (the Node build that
// tests, the CLI and `serve` load) untouched:
//   .electron-native/<electron-version>-<platform>-<arch>/better_sqlite3.node
// The app loads it through better-sqlite3's `nativeBinding` option (src/main/native-binding.ts decides
// the path; tests/unit/main/native-binding.test.ts checks both agree).
//
// How: copy the better-sqlite3 package (without its build/) into a staging project inside
// .electron-native/, run @electron/rebuild there with projectRootPath fenced to that staging folder
// (so it can never walk up into the real node_modules), then keep only the .node file.
//
// Usage: node scripts/electron-native.mjs [--force] [--arch x64] [--electron-version 39.8.10] [--out FILE]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const NATIVE_FILE = 'better_sqlite3.node';
export const DEV_NATIVE_DIR = '.electron-native';

/** Same layout as electronNativeKey / nativeBindingPath in src/main/native-binding.ts. */
export function electronNativePath(projectRoot, electronVersion, platform, arch) {
  return path.join(projectRoot, DEV_NATIVE_DIR, `${electronVersion}-${platform}-${arch}`, NATIVE_FILE);
}

export function installedElectronVersion() {
  return require('electron/package.json').version;
}

/**
 * Ensures the Electron build of better-sqlite3 exists; builds it when missing (or when `force`).
 * Returns its path. Needs a compiler (python3, make, g++ / Xcode / MSVC) or network access for
 * Electron's headers and prebuilt binaries.
 */
export async function ensureElectronNative({
  projectRoot = root,
  electronVersion = installedElectronVersion(),
  platform = process.platform,
  arch = process.arch,
  force = false,
  log = (line) => process.stderr.write(`${line}\n`),
  rebuild = async (options) => (await import('@electron/rebuild')).rebuild(options),
} = {}) {
  const target = electronNativePath(projectRoot, electronVersion, platform, arch);
  if (!force && fs.existsSync(target)) return target;

  const staging = path.join(
    projectRoot,
    DEV_NATIVE_DIR,
    `.staging-${electronVersion}-${platform}-${arch}-${process.pid}`,
  );
  const source = path.dirname(require.resolve('better-sqlite3/package.json', { paths: [projectRoot] }));
  const pkg = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
  log(
    `Building better-sqlite3 ${pkg.version} for Electron ${electronVersion} (${platform}-${arch}); this happens once…`,
  );
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const moduleDir = path.join(staging, 'node_modules', 'better-sqlite3');
    fs.cpSync(source, moduleDir, {
      recursive: true,
      filter: (src) => !isUnder(src, path.join(source, 'build')),
    });
    fs.writeFileSync(
      path.join(staging, 'package.json'),
      JSON.stringify({
        name: 'insights-electron-native',
        private: true,
        dependencies: { 'better-sqlite3': pkg.version },
      }),
    );
    await rebuild({
      buildPath: staging,
      projectRootPath: staging,
      electronVersion,
      platform,
      arch,
      onlyModules: ['better-sqlite3'],
      force: true,
    });
    const built = path.join(moduleDir, 'build', 'Release', NATIVE_FILE);
    if (!fs.existsSync(built)) throw new Error(`@electron/rebuild finished but ${built} is missing`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Copy then rename: a half-written binary must never look like a finished build.
    fs.copyFileSync(built, `${target}.tmp`);
    fs.renameSync(`${target}.tmp`, target);
    log(`Built ${path.relative(projectRoot, target)}`);
    return target;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function isUnder(file, dir) {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function argValue(argv, name) {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const options = {
    force: argv.includes('--force'),
    ...(argValue(argv, '--arch') ? { arch: argValue(argv, '--arch') } : {}),
    ...(argValue(argv, '--electron-version')
      ? { electronVersion: argValue(argv, '--electron-version') }
      : {}),
  };
  try {
    const built = await ensureElectronNative(options);
    const out = argValue(argv, '--out');
    if (out) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.copyFileSync(built, out);
    }
    process.stdout.write(`${built}\n`);
  } catch (err) {
    process.stderr.write(`electron-native: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
