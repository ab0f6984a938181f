import { ApiError } from '../../shared/contract/errors';

// Text normalization and keyword matching, exactly as docs/metrics.md ("Normalized text", source rule 3).

const EDGE = /^[\p{P}\p{S}\p{Z}\s]+|[\p{P}\p{S}\p{Z}\s]+$/gu;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const MAX_CODE_POINTS = 100;
const ASCII = /^\p{ASCII}*$/u;

/** NFKC, lower case, whitespace runs → one space, punctuation/symbols/separators trimmed, cut at 100 code points. */
export function normalizeText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  // NFKC leaves ASCII as it is, and a string has no more code points than UTF-16 units: both checks
  // are skipped when they cannot change anything (derivation normalizes every text message).
  let s = (ASCII.test(text) ? text : text.normalize('NFKC'))
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .replace(EDGE, '');
  if (s.length > MAX_CODE_POINTS) {
    const cps = Array.from(s);
    if (cps.length > MAX_CODE_POINTS) s = cps.slice(0, MAX_CODE_POINTS).join('').replace(EDGE, '');
  }
  return s === '' ? null : s;
}

/**
 * The tracking keyword found in an already normalized text: a match must not touch a letter or digit on
 * either side; the earliest match wins, and at the same position the longer keyword.
 */
export function matchKeyword(normalized: string, keywords: readonly string[]): string | null {
  let best: { pos: number; kw: string } | null = null;
  for (const kw of keywords) {
    let from = 0;
    for (;;) {
      const pos = normalized.indexOf(kw, from);
      if (pos < 0 || (best && pos > best.pos)) break;
      if (isBoundary(normalized, pos, kw.length)) {
        if (!best || pos < best.pos || (pos === best.pos && kw.length > best.kw.length)) best = { pos, kw };
        break;
      }
      from = pos + 1;
    }
  }
  return best?.kw ?? null;
}

function isBoundary(text: string, pos: number, len: number): boolean {
  const before = pos > 0 ? String.fromCodePoint(text.codePointAt(prevCodePointIndex(text, pos)) ?? 0) : '';
  const after = pos + len < text.length ? String.fromCodePoint(text.codePointAt(pos + len) ?? 0) : '';
  return !(before && WORD_CHAR.test(before)) && !(after && WORD_CHAR.test(after));
}

function prevCodePointIndex(text: string, pos: number): number {
  const low = text.charCodeAt(pos - 1);
  return low >= 0xdc00 && low <= 0xdfff && pos >= 2 ? pos - 2 : pos - 1;
}

/** A keyword as stored (normalized); rejects one that normalizes to nothing. */
export function keywordOf(raw: string): string {
  const k = normalizeText(raw);
  if (k === null)
    throw new ApiError(
      'invalid_argument',
      'A keyword needs at least one letter, digit or other visible character',
      'keyword',
    );
  return k;
}
