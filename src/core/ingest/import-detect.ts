import fs from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { ApiError } from '../../shared/contract/errors';

// What an import file holds, from its first bytes (docs/import-formats.md).

export type ImportKind =
  | { kind: 'webhooks'; layout: 'ndjson' | 'array' | 'values' }
  | { kind: 'external-events'; layout: 'csv' | 'ndjson' }
  | { kind: 'send-log'; layout: 'csv' | 'ndjson' };

export function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** A fresh stream of the file's text bytes (gunzipped when needed) and the raw stream to measure progress on. */
export function openText(file: string): { raw: fs.ReadStream; text: NodeJS.ReadableStream } {
  const raw = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!isGzip(file)) return { raw, text: raw };
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return { raw, text: raw.pipe(gunzip) };
}

/**
 * The first `bytes` of the file's text after any leading whitespace (blank lines before a payload are
 * read past, however many), gunzipped when needed. A damaged .gz names the file.
 */
async function head(file: string, bytes = 64 * 1024): Promise<string> {
  const { raw, text } = openText(file);
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of text as AsyncIterable<Buffer>) {
      const s = n === 0 ? c.toString('latin1').trimStart() : null;
      if (s === '') continue;
      const kept = s === null ? c : c.subarray(c.length - Buffer.byteLength(s, 'latin1'));
      chunks.push(kept);
      n += kept.length;
      if (n >= bytes) break;
    }
  } catch (err) {
    throw new ApiError(
      'invalid_argument',
      `${path.basename(file)}: cannot be read (${err instanceof Error ? err.message : String(err)}) — a damaged or incomplete .gz?`,
      'files',
    );
  } finally {
    raw.destroy();
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}

const csvHeader = (line: string) => line.split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());

export async function detectImport(file: string): Promise<ImportKind> {
  if (!fs.existsSync(file)) throw new ApiError('not_found', `${file}: no such file`, 'files');
  if (!fs.statSync(file).isFile()) throw new ApiError('invalid_argument', `${file} is not a file`, 'files');
  const text = (await head(file)).trimStart();
  if (text.length === 0) throw new ApiError('invalid_argument', `${file} is empty`, 'files');
  if (text.startsWith('[')) return { kind: 'webhooks', layout: 'array' };
  const firstLine = text.split(/\r?\n/, 1)[0]!;
  if (text.startsWith('{')) {
    let first: Record<string, unknown>;
    try {
      first = JSON.parse(firstLine) as Record<string, unknown>;
    } catch {
      // Not one object per line: a pretty-printed body (or several, concatenated).
      return { kind: 'webhooks', layout: 'values' };
    }
    if ('message_id' in first) return { kind: 'send-log', layout: 'ndjson' };
    if ('lead_phone' in first && 'action' in first) return { kind: 'external-events', layout: 'ndjson' };
    return { kind: 'webhooks', layout: 'ndjson' };
  }
  const cols = csvHeader(firstLine);
  if (cols.includes('lead_phone') && cols.includes('action'))
    return { kind: 'external-events', layout: 'csv' };
  if (cols.includes('message_id')) return { kind: 'send-log', layout: 'csv' };
  throw new ApiError(
    'invalid_argument',
    `${file}: cannot tell what it holds — expected NDJSON or a JSON array of webhook payloads, a CSV of external events (lead_phone, action, …) or a send log (message_id, to, …); see docs/import-formats.md`,
    'files',
  );
}
