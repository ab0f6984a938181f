import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Every temp folder a test makes (tempDir, mkdtemp, child processes) lands under one root that is
// removed when the run ends: the suite makes hundreds of data folders per run.
export default function setup(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'insights-vitest-'));
  process.env.TMPDIR = root;
  return () => fs.rmSync(root, { recursive: true, force: true });
}
