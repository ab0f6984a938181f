import { hash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { canonicalJson } from './json-body';
import { type NormalizedPayload, normalizePayload } from './normalize';
import { boundRows } from './row-bounds';
import { hasContent, splitDelivery } from './split-delivery';

// The pure half of storing a payload: canonical text, validation and rows, hash and deflated body.
// It needs no database, so an import runs it on another thread (prepare-pipeline.ts) while the
// single SQLite writer only inserts and derives.

export interface PayloadInput {
  /** The parsed JSON body as delivered (Cloud API or On-Premise format). */
  body: unknown;
  origin: 'webhook' | 'import' | 'sync' | 'demo' | 'send-proxy';
  /** phone_number_id from the receiver path; On-Premise payloads need it. */
  channel?: string;
  /** unix ms when first received (carried through collector sync); default now. */
  receivedAt?: number;
}

export interface PreparedPayload {
  origin: PayloadInput['origin'];
  /** The channel the payload is filed under: the receiver's, else its first business number. */
  channel: string | null;
  receivedAt: number | null;
  /** sha256 of the canonical text: the payload's identity. */
  hash: Uint8Array;
  /** The canonical text, deflated (zlib). */
  body: Uint8Array;
  /** Bytes of the canonical text. */
  size: number;
  /**
   * The rows, or their JSON text when the payload crossed threads: a batch waiting for the writer
   * is then one flat string per payload, and the objects, parsed as each payload is stored, die young.
   */
  rows: NormalizedPayload | string;
  /**
   * The unreadable part of a partly readable delivery (split-delivery.ts): stored rows come from the
   * rest, this part (the same envelope with only the unreadable items, as JSON text) is quarantined.
   */
  invalid?: { reason: string; body: string };
}

export type Prepared = { ok: true; payload: PreparedPayload } | { ok: false; reason: string };

export function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

export function deflateBody(text: string): Buffer {
  // deflateSync returns a view of its 16 KB output chunk: copied, a payload keeps only its own bytes.
  const bytes = Buffer.from(text);
  const windowBits = windowBitsFor(bytes.length);
  return Buffer.from(deflateSync(bytes, { windowBits, memLevel: windowBits < 15 ? 6 : 8 }));
}

/** zlib's MIN_LOOKAHEAD: a match reaches at most the window size less this far back. */
const ZLIB_LOOKAHEAD = 262;

/**
 * The smallest zlib window whose match distance (the window less zlib's 262-byte lookahead) spans the
 * whole text, so no larger window finds more, with a smaller hash table: zlib then sets up and clears far
 * less state per call, which is most of the cost for bodies of a few hundred bytes. Any inflate reads it
 * (the window size is in the zlib header).
 */
function windowBitsFor(bytes: number): number {
  let bits = 9;
  while (bits < 15 && 1 << bits < bytes + ZLIB_LOOKAHEAD) bits++;
  return bits;
}

/**
 * The payload with its hash and body in byte arrays of their own: small Buffers are views of Node's
 * shared 8 KB pool, which postMessage would copy whole.
 */
export function ownBytes(p: PreparedPayload): PreparedPayload {
  return { ...p, hash: new Uint8Array(p.hash), body: new Uint8Array(p.body) };
}

/** Never throws: a body that cannot be stored comes back with the reason. */
export function preparePayload(item: PayloadInput): Prepared {
  const text = canonicalJson(item.body);
  if (text === null) return { ok: false, reason: 'the body is not serialisable JSON' };
  let norm = normalizePayload(item.body, { channel: item.channel });
  let invalid: PreparedPayload['invalid'];
  if (!norm.ok) {
    const split = splitDelivery(item.body, item.channel);
    const rest = split ? normalizePayload(split.valid, { channel: item.channel }) : null;
    if (!split || !rest || !hasContent(rest)) return { ok: false, reason: norm.error };
    norm = rest;
    invalid = { reason: split.reasons.join('; '), body: canonicalJson(split.invalid) ?? '' };
  }
  // A receiver's channel is what its secret authenticated: a delivery writes that number only.
  const foreign = item.origin === 'webhook' ? otherNumber(norm.value, item.channel) : null;
  if (foreign !== null)
    return {
      ok: false,
      reason: `metadata.phone_number_id: ${foreign} is not the channel ${item.channel} this delivery was sent to`,
    };
  return {
    ok: true,
    payload: {
      origin: item.origin,
      channel: item.channel ?? norm.value.numbers[0]?.phoneNumberId ?? null,
      receivedAt: item.receivedAt ?? null,
      hash: sha256(text),
      body: deflateBody(text),
      size: Buffer.byteLength(text),
      rows: boundRows(norm.value, text.length),
      ...(invalid ? { invalid } : {}),
    },
  };
}

/** A business number of the payload other than the channel, or null. */
function otherNumber(rows: NormalizedPayload, channel: string | undefined): string | null {
  if (channel === undefined) return null;
  return rows.numbers.find((n) => n.phoneNumberId !== channel)?.phoneNumberId ?? null;
}
