import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { type Db, openDatabase } from '../db/open';
import { getSetting, setSetting } from '../db/settings';
import { type DemoSteps, ingestDemo } from './build-demo';
import { DEMO_SCALE, DEMO_TIMEZONE } from './generate';
import { dropFuture, shiftDerived } from './shift-derived';

// The demo is ingested once through the real paths into a template database, cached in the data folder.
// Each "Explore demo data" copies the template and re-dates the copy to today: every stored time moves by
// the same number of calendar days (wall-clock time kept, so day buckets move by exactly that many days),
// the derived tables move with them (shift-derived.ts), and what would lie in the future goes.

/** Bump when the generator, the ingestion or the derived cache (4: multi_contacts) changes what a template holds. */
export const DEMO_VERSION = 4;

export interface TemplateInfo {
  /** Unix seconds: the "now" the template was generated for. */
  anchor: number;
  conversations: number;
  messages: number;
}

export function templatePath(dataDir: string, seed: number, scale = DEMO_SCALE): string {
  return path.join(dataDir, 'demo-template', `demo-v${DEMO_VERSION}-seed${seed}-scale${scale}.sqlite`);
}

export const cancelled = () => Object.assign(new Error('Cancelled'), { name: 'AbortError' });

/** Where builds and re-dating copies are made: always the data folder (the app's own folder may be read-only). */
export function scratchPath(dataDir: string, template: string, kind: 'building' | 'copy'): string {
  return path.join(dataDir, 'demo-template', `${path.basename(template)}.${randomUUID()}.${kind}`);
}

/**
 * Removes what a demo build stopped mid-way left in the data folder (a worker terminated after its
 * cancel cannot clean up itself): unfinished templates and re-dating copies. Runs only while no demo
 * build runs (the job lane is one thread).
 */
export function removeScratch(dataDir: string): number {
  const dir = path.join(dataDir, 'demo-template');
  if (!fs.existsSync(dir)) return 0;
  const stale = fs.readdirSync(dir).filter((f) => /\.(building|copy)(-wal|-shm|-journal)?$/.test(f));
  for (const f of stale) fs.rmSync(path.join(dir, f), { force: true });
  return stale.length;
}

/** Removes a database file and its WAL and shared-memory files. */
export function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
}

/**
 * Where `npm run build` puts the template (out/demo, beside the bundles that import this module; in the
 * packaged app it stays outside the asar archive like out/core).
 */
export function bundledTemplateDir(): string {
  return fileURLToPath(new URL('../demo/', import.meta.url));
}

/**
 * The template for a seed: the data folder's, else the one built with the app, else built now through
 * the real ingestion path (once; it stays in the data folder).
 */
export async function ensureTemplate(
  dataDir: string,
  options: { seed: number; now: DateTime; scale?: number },
  steps: DemoSteps,
): Promise<string> {
  const file = templatePath(dataDir, options.seed, options.scale);
  if (fs.existsSync(file)) return file;
  const bundled = path.join(bundledTemplateDir(), path.basename(file));
  if (fs.existsSync(bundled)) return bundled;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Built beside its final name and renamed when complete: a cancelled or crashed build leaves no template.
  const building = scratchPath(dataDir, file, 'building');
  const db = openDatabase(building);
  try {
    const counts = await ingestDemo(db, options, steps);
    const info: TemplateInfo = { anchor: Math.floor(options.now.toSeconds()), ...counts };
    setSetting(db, 'demoTemplate', info);
    // The delivery bodies are not carried over (as retention leaves rows without one): their timestamps
    // would disagree with the re-dated rows. Everything derived from them is in the tables.
    db.exec('UPDATE raw_payloads SET body = NULL');
    db.pragma('journal_mode = DELETE');
    db.exec('VACUUM');
    db.close();
    fs.renameSync(building, file);
    return file;
  } catch (err) {
    if (db.open) db.close();
    removeDatabaseFiles(building);
    throw err;
  }
}

export function templateInfo(db: Db): TemplateInfo {
  const info = getSetting<TemplateInfo | null>(db, 'demoTemplate', null);
  if (!info) throw new Error('The demo template holds no anchor');
  return info;
}

/**
 * Moves unix seconds by whole calendar days in a zone, keeping the wall-clock time (09:30 stays 09:30
 * across a daylight-saving change), so the local day of every moved time is its old day + `days`.
 */
export function wallClockShifter(zone: string, days: number): (ts: number) => number {
  const offsetAt = (ts: number) => DateTime.fromSeconds(ts, { zone }).offset * 60;
  // The zone's offset per UTC day; NaN on the few days it changes (then asked per timestamp).
  const perDay = new Map<number, number>();
  const offset = (ts: number) => {
    const day = Math.floor(ts / 86_400);
    let o = perDay.get(day);
    if (o === undefined) {
      const a = offsetAt(day * 86_400);
      o = a === offsetAt(day * 86_400 + 86_399) ? a : Number.NaN;
      perDay.set(day, o);
    }
    return Number.isNaN(o) ? offsetAt(ts) : o;
  };
  return (ts) => {
    const moved = ts + days * 86_400;
    return moved + offset(ts) - offset(moved);
  };
}

/**
 * Re-dates a copy of the template so that its data ends at `now`, derived tables included, in one
 * transaction. Returns the counts of the re-dated data.
 */
export async function redate(
  db: Db,
  now: DateTime,
  steps: DemoSteps,
): Promise<{ conversations: number; messages: number }> {
  const info = templateInfo(db);
  const zone = DEMO_TIMEZONE;
  const days = Math.round(
    now.setZone(zone).startOf('day').diff(DateTime.fromSeconds(info.anchor, { zone }).startOf('day'), 'days')
      .days,
  );
  const shift = wallClockShifter(zone, days);
  const nowSec = Math.floor(now.toSeconds());
  const ms = days * 86_400_000;
  db.function('demo_shift', { deterministic: true }, (ts: unknown) =>
    typeof ts === 'number' || typeof ts === 'bigint' ? shift(Number(ts)) : null,
  );
  db.transaction(() => {
    db.exec(`
      UPDATE statuses SET ts = demo_shift(ts), conversation_expiration = demo_shift(conversation_expiration);
      UPDATE messages SET ts = demo_shift(ts);
      UPDATE outgoing_messages SET sent_at = demo_shift(sent_at);
      UPDATE external_events SET ts = demo_shift(ts), received_at = received_at + ${ms};
      UPDATE raw_payloads SET received_at = received_at + ${ms};
      UPDATE contacts SET updated_at = updated_at + ${ms};
      UPDATE channels SET created_at = created_at + ${ms};
      UPDATE templates SET synced_at = synced_at + ${ms};
      UPDATE attr_keywords SET added_at = added_at + ${ms};
      UPDATE meta_accounts SET updated_at = updated_at + ${ms};
      UPDATE meta_connection SET connected_at = connected_at + ${ms}, checked_at = checked_at + ${ms};
      UPDATE meta_sync_state SET last_sync_at = last_sync_at + ${ms},
        spend_since = date(spend_since, '${days} days'), spend_through = date(spend_through, '${days} days');
    `);
    // Daily spend is a date in the account's zone. Its running sums (attr_spend_*) are kept by triggers
    // row by row: emptied first, then the rows go back in date order, so each insert only appends.
    db.exec(`
      CREATE TEMP TABLE demo_spend AS SELECT * FROM meta_spend;
      DELETE FROM attr_spend_cum;
      DELETE FROM attr_spend_ads;
      DELETE FROM meta_spend;
      INSERT INTO meta_spend SELECT account_id, ad_id, date(date, '${days} days'), spend, currency, impressions,
        clicks, messaging_started, synced_at + ${ms} FROM temp.demo_spend
        WHERE date(date, '${days} days') <= '${now.setZone(zone).toISODate()}' ORDER BY date;
      DROP TABLE temp.demo_spend;
    `);
    shiftDerived(db, days);
    dropFuture(db, nowSec);
    db.exec(`UPDATE business_numbers SET
      first_message_at = (SELECT MIN(ts) FROM messages m WHERE m.phone_number_id = business_numbers.phone_number_id),
      last_message_at = (SELECT MAX(ts) FROM messages m WHERE m.phone_number_id = business_numbers.phone_number_id)`);
    setSetting(db, 'demoTemplate', { ...info, anchor: nowSec });
  })();
  steps.step(0.9, 'Re-dated');
  return {
    conversations: db.prepare('SELECT COUNT(*) FROM attr_conversations').pluck().get() as number,
    messages: db.prepare("SELECT COUNT(*) FROM messages WHERE direction = 'in'").pluck().get() as number,
  };
}
