import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../../src/core/attribution/normalize';

// The definition of docs/metrics.md ("Normalized text") written plainly: normalizeText skips steps that
// cannot change an ASCII or short text, and must still give the same result for every text.
function reference(text: string): string | null {
  const edge = /^[\p{P}\p{S}\p{Z}\s]+|[\p{P}\p{S}\p{Z}\s]+$/gu;
  let s = text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').replace(edge, '');
  const cps = Array.from(s);
  if (cps.length > 100) s = cps.slice(0, 100).join('').replace(edge, '');
  return s === '' ? null : s;
}

describe('normalizeText', () => {
  it('equals the plain definition for any text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 140 }),
      fc.string({
        unit: fc.constantFrom('a', 'Z', ' ', '!', '\t', 'Ｈ', 'ﬁ', 'İ', '👋', 'é', 'e\u0301', '½', '²'),
        maxLength: 140,
      }),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(normalizeText(s)).toBe(reference(s));
      }),
      { numRuns: 2000 },
    );
  });
});
