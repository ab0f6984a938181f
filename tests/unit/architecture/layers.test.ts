import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The layers of src/core, lowest first (docs/architecture.md, "Layers"). An import may point sideways
// (same layer) or down; biome.json refuses the upward ones per folder, this test lists every one left.
const LAYERS: [layer: string, folders: string[]][] = [
  ['foundation', ['time', 'db', 'secrets', 'prefs', 'workspace']],
  ['kernel', ['kernel']],
  [
    'areas',
    [
      'app',
      'attribution',
      'collector',
      'contacts',
      'conversions',
      'demo',
      'dialog360',
      'ingest',
      'meta',
      'pg',
      'prechecks.ts',
    ],
  ],
  ['host', ['host']],
  ['server', ['server']],
  ['entry', ['entry']],
];

/** Upward imports named and justified in docs/architecture.md. */
const ALLOWED_UPWARD = new Set<string>([]);

const CORE = 'src/core';

function layerOf(file: string, root = CORE): number {
  const first = path.relative(root, file).split(path.sep)[0] ?? '';
  const i = LAYERS.findIndex(([, folders]) => folders.includes(first));
  if (i < 0) throw new Error(`${file} is in no layer: add its folder to LAYERS and to docs/architecture.md`);
  return i;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static, dynamic, re-exports), resolved to the .ts file they name. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1] as string);
  return specs.map((s) => {
    const base = path.join(path.dirname(file), s);
    if (fs.existsSync(`${base}.ts`)) return `${base}.ts`;
    if (fs.existsSync(path.join(base, 'index.ts'))) return path.join(base, 'index.ts');
    return base;
  });
}

function upwardImports(root = CORE): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(root)) {
    for (const target of importsOf(file)) {
      if (!target.startsWith(`${root}${path.sep}`)) continue; // src/shared and packages sit below the core
      if (layerOf(target, root) > layerOf(file, root))
        out.push(`${file} -> ${target}`.split(path.sep).join('/'));
    }
  }
  return out.sort();
}

describe('import direction in src/core', () => {
  it('puts every folder of src/core in a layer', () => {
    for (const e of fs.readdirSync(CORE)) expect(() => layerOf(path.join(CORE, e))).not.toThrow();
  });

  it('has no upward import except the named ones', () => {
    const upward = upwardImports();
    expect(upward.filter((u) => !ALLOWED_UPWARD.has(u))).toEqual([]);
  });

  it('finds an upward import when there is one', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    write(
      'kernel/context.ts',
      "import type { Db } from '../db/open';\nimport { spend } from '../meta/spend';\n",
    );
    write('db/open.ts', 'export type Db = object;\n');
    write('meta/spend.ts', "import type { Db } from '../db/open';\nexport const spend = 1;\n");
    write('entry/worker.ts', "const h = await import('../meta/spend');\n");
    try {
      expect(upwardImports(root)).toEqual([`${root}/kernel/context.ts -> ${root}/meta/spend.ts`]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
