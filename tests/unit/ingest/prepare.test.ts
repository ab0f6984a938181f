import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deflateBody, sha256 } from '../../../src/core/ingest/prepare';

describe('stored bodies', () => {
  it('inflate back to the text at every size, whatever window the deflate chose', () => {
    const sizes = [0, 1, 255, 256, 257, 511, 512, 513, 4096, 4097, 32_767, 32_768, 32_769, 100_000];
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 70_000 }),
      fc.constantFrom(...sizes).map((n) => 'ab{"x":1}é'.repeat(Math.ceil(n / 10)).slice(0, n)),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(inflateSync(deflateBody(s)).toString('utf8')).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('a payload is identified by the sha256 of its canonical text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(sha256(s).equals(createHash('sha256').update(s).digest())).toBe(true);
      }),
    );
  });
});
