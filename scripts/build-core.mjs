// Bundles the core for plain Node: the CLI (also `serve`) and the lane worker. Dependencies stay
// external (node_modules), so better-sqlite3 loads the binary built for the running Node.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  absWorkingDir: root,
  entryPoints: {
    'cli/index': 'src/cli/index.ts',
    'core/worker': 'src/core/entry/worker.ts',
    // An import's preparing thread (src/core/ingest/prepare-pipeline.ts finds it beside the lane worker).
    'core/ingest-prepare': 'src/core/ingest/prepare-worker.ts',
    // Builds the demo template into out/demo (run by `npm run build`).
    'demo/build-template': 'src/core/demo/build-template.ts',
  },
  outdir: 'out',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
