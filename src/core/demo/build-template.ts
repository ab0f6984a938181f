// `npm run build` ends with this (out/demo/build-template.js): it ingests the demo once through the real
// paths into out/demo, so the first "Explore demo data" of a fresh install only copies and re-dates it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { bundledTemplateDir, ensureTemplate, templatePath } from './template';

const DEFAULT_SEED = 42;
const dir = bundledTemplateDir();
const target = path.join(dir, path.basename(templatePath('', DEFAULT_SEED)));
// Quiet when up to date: `npm start` runs this every time.
if (!fs.existsSync(target)) {
  const t0 = performance.now();
  // Built in a scratch data folder, then moved beside the bundle; older versions' templates go.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-demo-template-'));
  try {
    const built = await ensureTemplate(
      scratch,
      { seed: DEFAULT_SEED, now: DateTime.now() },
      { step: () => {}, yield: async () => {} },
    );
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.sqlite')) fs.rmSync(path.join(dir, f));
    fs.copyFileSync(built, target);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`Demo template built in ${seconds} s: ${path.relative(process.cwd(), target)}\n`);
}
