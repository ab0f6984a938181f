/**
 * What storing a keyword changed, in words (docs/metrics.md, "Normalized text": lower case, whitespace runs
 * joined, punctuation, symbols and emoji trimmed at the ends, at most 100 characters). `stored` is what the
 * core answered; `known` the keywords tracked before.
 */
export function keywordNotice(typed: string, stored: string, known: readonly string[]): string | null {
  if (known.includes(stored)) return `“${stored}” was already tracked; nothing changed.`;
  const input = typed.trim();
  if (input === stored) return null;
  const changes: string[] = [];
  if (input.toLowerCase() !== input) changes.push('in lower case');
  if (/\s{2,}|[^\S ]/u.test(input)) changes.push('with single spaces');
  if (/^[\p{P}\p{S}\p{Z}]|[\p{P}\p{S}\p{Z}]$/u.test(input))
    changes.push('without the punctuation, symbols or emoji at its ends');
  if (Array.from(input).length > 100) changes.push('cut to 100 characters');
  return `Saved as “${stored}”${changes.length ? `: ${changes.join(', ')}` : ''} — the way first messages are compared.`;
}
