// Parsing untrusted JSON text safely: bounded nesting (whatever walks the value next must not blow
// the stack) and errors that say where the text went wrong.

export const MAX_JSON_DEPTH = 64;
/**
 * The largest webhook body taken, in bytes: the receiver's default limit (413 beyond it, `serve
 * --body-limit` to change) and the largest line or item an import reads (longer ones are skipped and
 * reported). Meta's webhook bodies are a few KB; this bounds the memory one body can take.
 */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Nesting depth of JSON text, scanning iteratively (strings and escapes skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJsonText(text: string): ParsedJson {
  if (text.trim().length === 0) return { ok: false, error: 'empty body: expected JSON' };
  if (jsonDepth(text) > MAX_JSON_DEPTH)
    return { ok: false, error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `malformed JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The canonical text a payload is stored and deduplicated by: the body re-serialised without whitespace. */
export function canonicalJson(value: unknown): string | null {
  try {
    const s = JSON.stringify(value);
    return typeof s === 'string' ? s : null;
  } catch {
    return null; // cycles or absurd nesting in a value handed over in-process
  }
}
