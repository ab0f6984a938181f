import type { NormalizedPayload } from './normalize';

// What is kept and derived per message is bounded, whatever a delivery carries: stored rows feed
// derivation (a contact's thread is read again and again), so a 50 MB text would cost its size at
// every later message of that contact. The raw payload keeps the whole text (deflated).
// Limits: docs/ingestion.md, "Sizes".

/**
 * Characters kept of any text field (message text, titles, ids, names). A WhatsApp text message body
 * holds at most 4,096 characters (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages,
 * "Text object": body, "Maximum 4096 characters"), so a real message is never cut.
 */
export const MAX_TEXT_CHARS = 4096;
/** Items kept of a list inside a JSON field (referral, extra, pricing, errors). */
const MAX_ITEMS = 100;
/** A JSON field larger than this once cut is replaced by a marker (its content stays in the raw payload). */
const MAX_JSON_CHARS = 64 * 1024;

/** The rows with every field bounded; unchanged (and not copied) when the body is too small to need it. */
export function boundRows(p: NormalizedPayload, bodyChars: number): NormalizedPayload {
  if (bodyChars <= MAX_TEXT_CHARS) return p;
  const out = { ...p } as unknown as Record<string, unknown>;
  for (const [key, rows] of Object.entries(p)) {
    if (Array.isArray(rows)) out[key] = rows.map(boundRow);
  }
  return out as unknown as NormalizedPayload;
}

function boundRow(row: unknown): unknown {
  if (row === null || typeof row !== 'object') return row;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'string') out[k] = cutText(v);
    else if (v !== null && typeof v === 'object') {
      const cut = cutJson(v);
      out[k] = JSON.stringify(cut).length <= MAX_JSON_CHARS ? cut : { truncated: true };
    } else out[k] = v;
  }
  return out;
}

function cutJson(v: unknown): unknown {
  if (typeof v === 'string') return cutText(v);
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map(cutJson);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[cutText(k)] = cutJson(x);
    return out;
  }
  return v;
}

/** The first MAX_TEXT_CHARS characters, never half a surrogate pair, in a string of its own. */
export function cutText(s: string): string {
  if (s.length <= MAX_TEXT_CHARS) return s;
  let end = MAX_TEXT_CHARS;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  // A slice would keep the whole original string alive (V8 sliced strings point into their parent).
  return Buffer.from(s.slice(0, end), 'utf8').toString('utf8');
}
