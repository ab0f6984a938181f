import readline from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import streamArray from 'stream-json/streamers/stream-array.js';
import streamValues from 'stream-json/streamers/stream-values.js';
import type { ImportKind } from './import-detect';
import { parseJsonText } from './json-body';

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
    for await (const l of readline.createInterface({ input: text, crlfDelay: Number.POSITIVE_INFINITY })) {
      line++;
      const s = line === 1 ? l.replace(/^\uFEFF/, '') : l;
      if (s.trim().length === 0) continue;
      const parsed = parseJsonText(s);
      if (parsed.ok) yield { line, value: parsed.value };
      else error(line, parsed.error);
    }
    return;
  }
  if (kind.layout === 'array' || kind.layout === 'values') {
    const items = text.pipe(
      kind.layout === 'array' ? streamArray.withParserAsStream() : streamValues.withParserAsStream(),
    );
    let item = 0;
    try {
      for await (const { key, value } of items as AsyncIterable<{ key: number; value: unknown }>) {
        item = key + 1;
        yield { line: item, value };
      }
    } catch (err) {
      // A JSON syntax error ends a single JSON document: nothing after it can be read.
      error(
        item + 1,
        `malformed JSON after item ${item}: ${err instanceof Error ? err.message : String(err)}`,
      );
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
  parser.on('skip', (err: { lines?: number; message: string }) =>
    error(err.lines ?? 0, `bad CSV: ${err.message}`),
  );
  for await (const rec of text.pipe(parser) as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield { line: rec.info.lines, value: rec.record };
  }
}
