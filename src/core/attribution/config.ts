import { IANAZone } from 'luxon';
import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/settings';
import { cachedStatement } from '../db/statements';
import { DERIVED_CACHE_VERSION } from './derived-cache';

// Workspace settings of attribution (stored in the raw `settings` table) and the configuration the
// derived tables were built with (attr_state 'config'). Reports always read derived data consistent
// with the applied configuration; a change of a derivation setting is applied by a rebuild.

export interface AttributionSettings {
  conversationWindowHours: number;
  attributionWindowDays: number;
  currency: string;
  rollupThreshold: number;
  timezone: string;
  /** L of the first_touch and last_paid_touch models (docs/metrics.md "Attribution models"). */
  attributionLookbackDays: number;
}

export type SettingKey = keyof AttributionSettings;

/**
 * The version of the derivation rules (docs/metrics.md). Raise it when a rule changes what is derived from
 * stored rows: a workspace derived with other rules is rebuilt (rebuildNeeded). 2: edits, group messages
 * and every error-only message stay out of conversations; Flow completions get their own source and event.
 * 3: previous_external_event_id is followed only to an earlier event.
 */
export const DERIVATION_RULES = 3;

/** The derived cache's declaration version stored in configs from before it existed. */
const FIRST_CACHE_VERSION = 1;

/** What derivation depends on: a change of any of these rebuilds the derived tables. */
export interface DerivationConfig {
  /** DERIVATION_RULES when derived; absent in configs stored before it existed (= 1). */
  rules?: number;
  /** DERIVED_CACHE_VERSION of the declaration the set was made from; absent before it existed (= 1). */
  cache?: number;
  windowSeconds: number;
  attributionSeconds: number;
  timezone: string;
  keywords: string[];
  /** The attribution models' lookback; absent in configs stored before the models existed (= the default). */
  lookbackSeconds?: number;
}

export const DEFAULT_LOOKBACK_DAYS = 90;

export const lookbackSecondsOf = (c: DerivationConfig): number =>
  c.lookbackSeconds ?? DEFAULT_LOOKBACK_DAYS * 86_400;

export function systemTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function readSettings(db: Db): AttributionSettings {
  return {
    conversationWindowHours: getSetting(db, 'conversationWindowHours', 24),
    attributionWindowDays: getSetting(db, 'attributionWindowDays', 30),
    currency: getSetting(db, 'currency', 'USD'),
    rollupThreshold: getSetting(db, 'rollupThreshold', 2),
    timezone: getSetting<string | null>(db, 'timezone', null) ?? systemTimezone(),
    attributionLookbackDays: getSetting(db, 'attributionLookbackDays', DEFAULT_LOOKBACK_DAYS),
  };
}

/** Parses and validates one setting value (CLI strings or JSON values); throws invalid_argument. */
export function parseSettingValue(key: SettingKey, raw: unknown): AttributionSettings[SettingKey] {
  const asInt = (min: number, max: number): number => {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ApiError('invalid_argument', `${key} must be a whole number from ${min} to ${max}`, 'value');
    }
    return n;
  };
  switch (key) {
    case 'conversationWindowHours':
      return asInt(1, 24 * 90);
    case 'attributionWindowDays':
      return asInt(1, 3650);
    case 'attributionLookbackDays': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(n) || n < 1 || n > 3650)
        throw new ApiError(
          'invalid_argument',
          'The lookback is a number of whole days, from 1 to 3650 (10 years): how far back an earlier conversation of the contact can still get the credit',
          'value',
        );
      return n;
    }
    case 'rollupThreshold':
      return asInt(1, 1_000_000);
    case 'currency': {
      const c = String(raw).trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(c))
        throw new ApiError('invalid_argument', 'currency must be a three-letter ISO 4217 code', 'value');
      return c;
    }
    case 'timezone': {
      const z = String(raw).trim();
      if (!IANAZone.isValidZone(z))
        throw new ApiError('invalid_argument', `"${z}" is not an IANA time zone`, 'value');
      return z;
    }
  }
}

export function writeSetting(db: Db, key: SettingKey, value: AttributionSettings[SettingKey]): void {
  setSetting(db, key, value);
}

export function listKeywords(db: Db): string[] {
  return (
    cachedStatement(db, 'SELECT keyword FROM attr_keywords ORDER BY keyword').pluck().all() as string[]
  ).slice();
}

/** The configuration the current settings ask for. */
export function wantedConfig(db: Db): DerivationConfig {
  const s = readSettings(db);
  return {
    rules: DERIVATION_RULES,
    cache: DERIVED_CACHE_VERSION,
    windowSeconds: s.conversationWindowHours * 3600,
    attributionSeconds: s.attributionWindowDays * 86_400,
    timezone: s.timezone,
    keywords: listKeywords(db),
    lookbackSeconds: s.attributionLookbackDays * 86_400,
  };
}

export function getState<T>(db: Db, key: string): T | null {
  const row = cachedStatement(db, 'SELECT value FROM attr_state WHERE key = ?').pluck().get(key) as
    | string
    | undefined;
  return row === undefined ? null : (JSON.parse(row) as T);
}

export function setState(db: Db, key: string, value: unknown): void {
  db.prepare(
    'INSERT INTO attr_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, JSON.stringify(value));
}

export function deleteState(db: Db, key: string): void {
  db.prepare('DELETE FROM attr_state WHERE key = ?').run(key);
}

/** The configuration the live derived tables reflect; fixed on first use from the settings. */
export function appliedConfig(db: Db, persist = true): DerivationConfig {
  const c = getState<DerivationConfig>(db, 'config');
  if (c) return c;
  const wanted = wantedConfig(db);
  if (persist) setState(db, 'config', wanted);
  return wanted;
}

/**
 * Puts the derivation settings back to what the derived tables were built with (after a cancelled
 * rebuild), so that the settings shown keep matching the numbers shown and no rebuild stays pending.
 */
export function revertToApplied(db: Db): void {
  const applied = appliedConfig(db, false);
  db.transaction(() => {
    setSetting(db, 'conversationWindowHours', applied.windowSeconds / 3600);
    setSetting(db, 'attributionWindowDays', applied.attributionSeconds / 86_400);
    setSetting(db, 'timezone', applied.timezone);
    setSetting(db, 'attributionLookbackDays', lookbackSecondsOf(applied) / 86_400);
    const keep = new Set(applied.keywords);
    for (const k of listKeywords(db))
      if (!keep.has(k)) db.prepare('DELETE FROM attr_keywords WHERE keyword = ?').run(k);
    const add = db.prepare('INSERT OR IGNORE INTO attr_keywords (keyword, added_at) VALUES (?, ?)');
    for (const k of applied.keywords) add.run(k, Date.now());
  }).immediate();
}

export function sameConfig(a: DerivationConfig, b: DerivationConfig): boolean {
  return (
    (a.rules ?? 1) === (b.rules ?? 1) &&
    (a.cache ?? FIRST_CACHE_VERSION) === (b.cache ?? FIRST_CACHE_VERSION) &&
    a.windowSeconds === b.windowSeconds &&
    a.attributionSeconds === b.attributionSeconds &&
    a.timezone === b.timezone &&
    lookbackSecondsOf(a) === lookbackSecondsOf(b) &&
    a.keywords.join('\n') === b.keywords.join('\n')
  );
}
