import { type NormalizeResult, normalizePayload } from './normalize';

// A delivery may carry many messages and statuses (several entries, changes, items). One unreadable
// item must not cost the others: Meta re-sends a delivery until it gets a 200, so refusing the whole
// body would hold the valid messages back for days and then drop them. The readable part is stored,
// the unreadable part is quarantined with its reason (docs/ingestion.md, "Partly readable deliveries").
// Each item is judged by the normalizer itself (with its change's metadata and contacts), so this
// module has no rules of its own about what a valid message is.

type Obj = Record<string, unknown>;

export interface SplitDelivery {
  /** The body without the unreadable items (same envelope). */
  valid: Obj;
  /** The same envelope holding only the unreadable items and changes, to quarantine. */
  invalid: Obj;
  /** One reason per unreadable item, naming its path in the delivery as sent. */
  reasons: string[];
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const ITEMS = ['messages', 'statuses'] as const;

/**
 * Splits a body the normalizer refused into its readable and unreadable parts; null when nothing can
 * be split off (the envelope itself is unreadable, or no item is).
 */
export function splitDelivery(body: unknown, channel: string | undefined): SplitDelivery | null {
  if (!isObj(body)) return null;
  const reasons: string[] = [];
  const norm = (b: unknown): NormalizeResult => normalizePayload(b, { channel });
  if ('entry' in body || 'object' in body) {
    if (!Array.isArray(body.entry)) return null;
    const validEntries: unknown[] = [];
    const invalidEntries: unknown[] = [];
    for (const [ei, entry] of body.entry.entries()) {
      const at = `entry[${ei}]`;
      if (!isObj(entry) || (entry.changes !== undefined && !Array.isArray(entry.changes))) {
        invalidEntries.push(entry);
        reasons.push(`${at}: expected an object with changes[]`);
        continue;
      }
      const changes = (entry.changes ?? []) as unknown[];
      const validChanges: unknown[] = [];
      const invalidChanges: unknown[] = [];
      for (const [ci, change] of changes.entries()) {
        const where = `${at}.changes[${ci}].value`;
        const wrap = (value: unknown) => ({
          ...body,
          entry: [{ ...entry, changes: [isObj(change) ? { ...change, value } : change] }],
        });
        const value = isObj(change) ? change.value : undefined;
        const parts = isObj(value) ? splitValue(value, where, (v) => norm(wrap(v)), reasons) : null;
        if (parts) {
          if (parts.valid) validChanges.push({ ...(change as Obj), value: parts.valid });
          if (parts.invalid) invalidChanges.push({ ...(change as Obj), value: parts.invalid });
          continue;
        }
        // Not a value of messages (another field, or a change that is not even an object): judged whole.
        const whole = norm(wrap(value));
        if (whole.ok) validChanges.push(change);
        else {
          invalidChanges.push(change);
          reasons.push(relocate(whole.error, 'entry[0].changes[0]', `${at}.changes[${ci}]`));
        }
      }
      if (validChanges.length > 0 || changes.length === 0)
        validEntries.push({ ...entry, changes: validChanges });
      if (invalidChanges.length > 0) invalidEntries.push({ ...entry, changes: invalidChanges });
    }
    if (reasons.length === 0) return null;
    return {
      valid: { ...body, entry: validEntries },
      invalid: { ...body, entry: invalidEntries },
      reasons,
    };
  }
  const parts = splitValue(body, '', norm, reasons);
  if (!parts || reasons.length === 0) return null;
  return { valid: parts.valid ?? emptyValue(body), invalid: parts.invalid ?? emptyValue(body), reasons };
}

/**
 * A value's messages and statuses, each judged alone (in the value's context), and the rest of the
 * value (metadata, contacts, errors) judged without them: unreadable, the whole value is.
 * Null when the value is not a messages value (nothing to split).
 */
function splitValue(
  value: Obj,
  where: string,
  norm: (v: Obj) => NormalizeResult,
  reasons: string[],
): { valid: Obj | null; invalid: Obj | null } | null {
  if (!ITEMS.some((k) => Array.isArray(value[k]))) return null;
  const rest = emptyValue(value);
  const restOk = norm(rest);
  if (!restOk.ok) {
    reasons.push(restOk.error.startsWith(where) || where === '' ? restOk.error : `${where}: ${restOk.error}`);
    return { valid: null, invalid: value };
  }
  const valid: Obj = { ...rest };
  const invalid: Obj = { ...rest };
  let bad = 0;
  let good = 0;
  for (const key of ITEMS) {
    const items = value[key];
    if (!Array.isArray(items)) continue;
    const ok: unknown[] = [];
    const ko: unknown[] = [];
    for (const [i, item] of items.entries()) {
      const r = norm({ ...rest, [key]: [item] });
      if (r.ok) ok.push(item);
      else {
        ko.push(item);
        const path = `${where ? `${where}.` : ''}${key}[${i}]`;
        reasons.push(relocate(r.error, `${key}[0]`, path));
      }
    }
    valid[key] = ok;
    invalid[key] = ko;
    good += ok.length;
    bad += ko.length;
  }
  return { valid: good > 0 || bad === 0 ? valid : null, invalid: bad > 0 ? invalid : null };
}

/** The value without its messages and statuses. */
function emptyValue(value: Obj): Obj {
  const rest: Obj = { ...value };
  for (const key of ITEMS) if (key in rest) rest[key] = [];
  return rest;
}

/** An error about the one-item stand-in, told with the item's real path in the delivery. */
function relocate(error: string, stand: string, real: string): string {
  const at = error.indexOf(stand);
  return at < 0 ? `${real}: ${error}` : real + error.slice(at + stand.length);
}

/** Counting content left after a split: without it the delivery is refused whole. */
export function hasContent(r: NormalizeResult): r is Extract<NormalizeResult, { ok: true }> {
  return r.ok && (r.value.messages.length > 0 || r.value.statuses.length > 0);
}
