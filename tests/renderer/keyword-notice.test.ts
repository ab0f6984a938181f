import { describe, expect, it } from 'vitest';
import { keywordNotice } from '../../src/renderer/src/lib/keywords';

// The Keywords panel says when the stored keyword is not what was typed (values from the core's
// normalizeText, docs/metrics.md "Normalized text").
describe('keywordNotice', () => {
  it('is silent when the keyword is stored as typed', () => {
    expect(keywordNotice('spring-flyer', 'spring-flyer', [])).toBeNull();
  });
  it('names each change', () => {
    expect(keywordNotice('  Spring  Flyer!! 🎉', 'spring flyer', [])).toBe(
      'Saved as “spring flyer”: in lower case, with single spaces, without the punctuation, symbols or emoji at its ends — the way first messages are compared.',
    );
    expect(keywordNotice('a'.repeat(120), 'a'.repeat(100), [])).toContain('cut to 100 characters');
  });
  it('says a duplicate changed nothing', () => {
    expect(keywordNotice('GLOW25', 'glow25', ['glow25'])).toBe(
      '“glow25” was already tracked; nothing changed.',
    );
  });
});
