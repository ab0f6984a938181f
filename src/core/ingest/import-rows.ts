import { Transform } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import streamArray from 'stream-json/streamers/stream-array.js';
import streamValues from 'stream-json/streamers/stream-values.js';
import { boundedLines } from './bounded-lines';
import type { ImportKind } from './import-detect';
import { MAX_BODY_BYTES, parseJsonText } from './json-body';

// Reading an import file row by row; shared by the importer and the thread that prepares payloads.

export interface Row {
  line: number;
  value: unknown;
}

/** Rows of a file with their line numbers (item numbers for a JSON array); unreadable ones go to `error`. */
export async function* importRows(
  kind: ImportKind,
  text: NodeJS.ReadableStream,
  error: (line: number, reason: string) => void,
): AsyncGenerator<Row> {
  if (kind.layout === 'ndjson') {
    let line = 0;
    for await (const l of boundedLines(text as AsyncIterable<Buffer>, MAX_BODY_BYTES)) {
      line++;
      if ('tooLong' in l) {
        error(line, tooLarge(l.tooLong));
        continue;
      }
      const s = line === 1 ? l.text.replace(/^\uFEFF/, '') : l.text;
      if (s.trim().length === 0) continue;
      const parsed = parseJsonText(s);
      if (parsed.ok) yield { line, value: parsed.value };
      else error(line, parsed.error);
    }
    return;
  }
  if (kind.layout === 'array' || kind.layout === 'values') {
    // Bytes read since the last item: an item larger than a webhook body may be stops the file (a
    // JSON document cannot be resumed after a skipped part) before it is built in memory.
    let sinceItem = 0;
    let tooBig = false;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sinceItem += chunk.length;
        if (sinceItem > MAX_BODY_BYTES) {
          tooBig = true;
          done(new Error('too large'));
        } else done(null, chunk);
      },
    });
    const items = text
      .pipe(meter)
      .pipe(kind.layout === 'array' ? streamArray.withParserAsStream() : streamValues.withParserAsStream());
    text.on('error', (e) => items.destroy(e));
    meter.on('error', (e) => items.destroy(e));
    let item = 0;
    // Each item is held back until the next one (or the clean end of the file) is read: an item
    // followed by garbage is malformed, as the same bytes sent to the receiver are (json-body.ts,
    // docs/import-formats.md "Trailing garbage").
    let held: Row | null = null;
    try {
      for await (const { key, value } of items as AsyncIterable<{ key: number; value: unknown }>) {
        if (held) yield held;
        item = key + 1;
        sinceItem = 0;
        held = { line: item, value };
      }
      if (held) yield held;
    } catch (err) {
      if (tooBig) error(item + 1, `${tooLarge(sinceItem)}; the rest of the file cannot be read`);
      else if (isStreamError(err)) throw err;
      else if (held) error(held.line, `malformed JSON after item ${held.line}: ${message(err)}`);
      else error(item + 1, `malformed JSON after item ${item}: ${message(err)}`);
    }
    return;
  }
  const parser = parseCsv({
    bom: true,
    columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
    info: true,
    skip_records_with_error: true,
  });
  // csv-parse may report one broken record more than once (a bad quote, then each byte after it):
  // a line is one bad line, reported once.
  let lastBad = -1;
  parser.on('skip', (err: { lines?: number; message: string }) => {
    const at = err.lines ?? 0;
    if (at === lastBad) return;
    lastBad = at;
    error(at, `bad CSV: ${err.message}`);
  });
  for await (const rec of text.pipe(parser) as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield { line: rec.info.lines, value: rec.record };
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const tooLarge = (bytes: number) =>
  `larger than ${MAX_BODY_BYTES / 1024 / 1024} MB (${bytes.toLocaleString('en')} bytes or more): skipped`;

/** A failure of the file itself (unreadable, a broken .gz) rather than of its JSON or CSV text. */
export function isStreamError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('Z_') || /^E[A-Z]+$/.test(code))) return true;
  // From the preparing thread, an error may arrive without its code.
  return /unexpected end of file|incorrect header check|invalid (block type|code|distance|stored block)|too many length/i.test(
    err instanceof Error ? err.message : '',
  );
}
