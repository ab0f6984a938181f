// Lines of a stream with a bound on what one line may hold in memory: a longer line is skipped as it
// streams past (only its length is counted), so a file with a 100 MB line imports in the same memory as
// any other (docs/import-formats.md, "Sizes"). readline would build the whole line first.

export type BoundedLine = { text: string } | { tooLong: number };

const NL = 0x0a;

export async function* boundedLines(
  input: AsyncIterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<BoundedLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let started = false;
  const take = (seg: Buffer) => {
    started = true;
    size += seg.length;
    if (skipping) return;
    if (size > maxBytes) {
      skipping = true;
      parts = [];
    } else if (seg.length > 0) parts.push(seg);
  };
  const emit = (): BoundedLine => {
    const line: BoundedLine = skipping
      ? { tooLong: size }
      : { text: Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '') };
    parts = [];
    size = 0;
    skipping = false;
    started = false;
    return line;
  };
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(NL, start); nl >= 0; nl = buf.indexOf(NL, start)) {
      take(buf.subarray(start, nl));
      yield emit();
      start = nl + 1;
    }
    // Copied: a view would keep the whole read buffer alive while the line goes on.
    if (start < buf.length) take(skipping ? buf.subarray(start) : Buffer.from(buf.subarray(start)));
  }
  if (started) yield emit();
}
