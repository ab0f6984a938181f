// Source keys (docs/metrics.md, "Sources"): `<prefix>:<rest>`, e.g. `ad:<ad id>`, `tpl:<template>`,
// `reply:<button>`, `flow:<name>`, `kw:<keyword>`, `text:<normalised text>`, `type:<message type>`, and
// `<referral source type>:<id>` for other referrals (`post:<id>`). Built and taken apart here only.

export type SourcePrefix = 'ad' | 'tpl' | 'reply' | 'flow' | 'kw' | 'text' | 'type';

/** The key of a source: `prefix:rest` (a referral's own source type may be the prefix). */
export const sourceKey = (prefix: SourcePrefix | (string & {}), rest: string): string => `${prefix}:${rest}`;

/** Prefix and rest of a key (the rest may contain ':'); a key without ':' is all prefix. */
export function parseSourceKey(key: string): { prefix: string; rest: string } {
  const i = key.indexOf(':');
  return i < 0 ? { prefix: key, rest: '' } : { prefix: key.slice(0, i), rest: key.slice(i + 1) };
}

/** The rest of `key` when it has `prefix`, else null. */
export function restOf(key: string, prefix: SourcePrefix | (string & {})): string | null {
  return key.startsWith(`${prefix}:`) ? key.slice(prefix.length + 1) : null;
}

/** The report's one row for first-message sources below the rollup threshold. */
export const ROLLUP_KEY = 'text:*';
