// electron-builder beforePack hook (electron-builder.yml: npmRebuild: false, beforePack: this file).
// Builds better-sqlite3 for the target Electron version and architecture with @electron/rebuild in a
// staging copy (scripts/electron-native.mjs) and places it where extraResources picks it up:
//   .electron-native/package/<platform>-<arch>/better_sqlite3.node  →  <resources>/native/better_sqlite3.node
// node_modules is never rebuilt in place, so `npm test` keeps working after `npm run dist`.
// Native modules cannot be cross-compiled: build each OS's package on that OS.
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

// electron-builder's Arch enum: 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal.
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

module.exports = async function beforePack(context) {
  const arch = ARCH_NAMES[context.arch];
  if (!arch || arch === 'universal')
    throw new Error(`beforePack: unsupported architecture ${String(context.arch)}`);
  const projectDir = context.packager.projectDir;
  const native = await import(pathToFileURL(path.join(__dirname, 'electron-native.mjs')).href);
  const electronVersion = context.packager.config.electronVersion || native.installedElectronVersion();
  // Node and node-gyp call 32-bit ARM "arm"; electron-builder calls it "armv7l".
  const nodeArch = arch === 'armv7l' ? 'arm' : arch;
  const built = await native.ensureElectronNative({
    projectRoot: projectDir,
    electronVersion,
    arch: nodeArch,
  });
  const dest = path.join(
    projectDir,
    '.electron-native',
    'package',
    `${process.platform}-${arch}`,
    'better_sqlite3.node',
  );
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(built, dest);
  console.log(
    `  • better-sqlite3 for Electron ${electronVersion} ${process.platform}-${arch} → resources/native/`,
  );
};
