import type { ConvRow } from './engine/rows';

// The derived cache, declared once: every table of a derived set, its indexes, and each summary with its
// key, its values, how the live engine moves it (delta) and how a rebuild fills it (fill). tables.ts makes
// the DDL from it, engine.ts the summary deltas, fill-summaries.ts the bulk fill. Nothing in it is user data:
// a set can always be derived again from the raw tables, so a change here is applied by a rebuild.

/**
 * The version of this declaration. Raise it with any change below: it is part of the derivation config
 * (config.ts, DerivationConfig.cache), so a workspace whose set was made from another version is rebuilt
 * into a set of this shape (shadow set, then swap) when it is opened. 3 (2 was two parallel drafts, never
 * released): each conversation's source under the first-touch and last-paid-touch models, with their
 * summaries and indexes (docs/metrics.md "Attribution models"), and the contacts who wrote to several
 * numbers (multi_contacts, docs/metrics.md "All numbers").
 */
export const DERIVED_CACHE_VERSION = 3;

/**
 * Tables holding derived rows, written by the engine row by row. `$` stands for the set's prefix.
 * Their comments are kept in the DDL, where `sqlite3 .schema` shows them.
 */
export const ROW_TABLES = {
  sources: `
CREATE TABLE $sources (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,              -- ad:<id>, tpl:<name>, reply:<…>, kw:<…>, text:<…>, type:<…>
  kind TEXT NOT NULL,
  name TEXT,                             -- derived name (referral headline / url); renames live in attr_source_names
  name_ts INTEGER,                       -- (ts, message id) of the message that gave the name: the earliest wins
  name_msg TEXT
) STRICT;`,
  events: `
CREATE TABLE $events (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,              -- ext:<action>, button:<text>, list:<title>, text:<normalized>
  kind TEXT NOT NULL,
  label TEXT NOT NULL
) STRICT;`,
  conversations: `
CREATE TABLE $conversations (
  id INTEGER PRIMARY KEY,
  phone TEXT NOT NULL,
  contact TEXT NOT NULL,
  start_ts INTEGER NOT NULL,
  first_message_id TEXT NOT NULL,
  last_ts INTEGER NOT NULL,              -- last counting message, for the window of the next one
  last_message_id TEXT NOT NULL,
  messages INTEGER NOT NULL,
  source INTEGER NOT NULL,
  day INTEGER NOT NULL,                  -- local day of start in the applied timezone
  prev_day INTEGER NOT NULL,             -- day of the contact's previous conversation on this number, -1 when none
  prev_src_day INTEGER NOT NULL,         -- same, among conversations of the same source
  ft_source INTEGER NOT NULL DEFAULT 0,  -- the source it counts under in the first_touch model (engine/touches.ts)
  ft_prev_day INTEGER NOT NULL DEFAULT -1, -- prev_src_day among conversations of the same ft_source
  lpt_source INTEGER NOT NULL DEFAULT 0, -- the same for the last_paid_touch model
  lpt_prev_day INTEGER NOT NULL DEFAULT -1
) STRICT;`,
  // Every occurrence of an event in a conversation (messaging events at each matching message, attributed
  // external events). amount in millionths of the currency unit, so sums are exact in any feeding order.
  occurrences: `
CREATE TABLE $occurrences (
  conv INTEGER NOT NULL,
  event INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  ref TEXT NOT NULL,                     -- message id or external event id
  amount INTEGER,
  currency TEXT,
  PRIMARY KEY (conv, event, ts, ref)
) STRICT, WITHOUT ROWID;`,
  // One row per (conversation, event): the conversation is a lead for that event.
  conv_events: `
CREATE TABLE $conv_events (
  conv INTEGER NOT NULL,
  event INTEGER NOT NULL,
  phone TEXT NOT NULL,
  day INTEGER NOT NULL,
  source INTEGER NOT NULL,
  first_delay INTEGER,                   -- seconds from start to the earliest occurrence at or after start
  occurrences INTEGER NOT NULL,
  PRIMARY KEY (conv, event)
) STRICT, WITHOUT ROWID;`,
  // Attribution of every stored external event (conv NULL: unattributed).
  external: `
CREATE TABLE $external (
  event_id TEXT PRIMARY KEY,
  conv INTEGER,
  ts INTEGER NOT NULL,                   -- copied from external_events so unattributed counts need no join
  action TEXT NOT NULL,                  -- trimmed
  app_id TEXT
) STRICT;`,
} as const;

/** What the engine counts: a conversation added (sign 1) or removed (-1), a lead's occurrences, revenue. */
export interface Feeds {
  conversation: { c: ConvRow; sign: 1 | -1 };
  lead: { c: ConvRow; event: number; leads: number; occ: number };
  revenue: { c: ConvRow; event: number; currency: string; amount: number };
}

type Column = readonly [name: string, type: 'TEXT' | 'INTEGER'];

interface SummaryOf<F extends keyof Feeds> {
  /** Key columns, in column and primary-key order. */
  keys: readonly Column[];
  /** INTEGER counters after the keys; a row whose first value reaches 0 is deleted. */
  values: readonly string[];
  feed: F;
  /** The key values then the value deltas a change adds, or null when it adds nothing here. */
  delta: (d: Feeds[F]) => (string | number)[] | null;
  /** SELECT of keys then values from the set's row tables (`$` = prefix), for a rebuild's bulk fill. */
  fill: string;
}

export type Summary = SummaryOf<'conversation'> | SummaryOf<'lead'> | SummaryOf<'revenue'>;

const phone: Column = ['phone', 'TEXT'];
const day: Column = ['day', 'INTEGER'];
const prevDay: Column = ['prev_day', 'INTEGER'];
const source: Column = ['source', 'INTEGER'];
const event: Column = ['event', 'INTEGER'];
const currency: Column = ['currency', 'TEXT'];

const conversation = (s: Omit<SummaryOf<'conversation'>, 'feed'>): Summary => ({
  ...s,
  feed: 'conversation',
});
const lead = (s: Omit<SummaryOf<'lead'>, 'feed'>): Summary => ({ ...s, feed: 'lead' });
const revenue = (s: Omit<SummaryOf<'revenue'>, 'feed'>): Summary => ({ ...s, feed: 'revenue' });

// Revenue is summed per currency from the occurrences that carry an amount; all-zero sums are not stored.
const revenueFill = (keys: string) =>
  `SELECT ${keys}, SUM(o.amount) FROM $occurrences o JOIN $conversations c ON c.id = o.conv
     WHERE o.amount IS NOT NULL AND o.currency IS NOT NULL
     GROUP BY ${keys
       .split(',')
       .map((_, i) => i + 1)
       .join(', ')} HAVING SUM(o.amount) <> 0`;

/**
 * Summaries, maintained with every change. prev_day makes distinct contacts a plain sum: contacts in
 * [from, to] = conversations in [from, to] whose previous one (same key) is before from. For ranges that
 * run to the newest data (every preset) the summary path counts the complement (days before 'from') and
 * subtracts it from all-time figures (day_n, day_prev, src_all, src_prev, event_all, rev_all, day_rev):
 * few rows for long ranges. A conv_events row is a lead; its occurrences are the event's occurrences there.
 */
export const SUMMARIES = {
  sum_day: conversation({
    keys: [phone, day, prevDay],
    values: ['n'],
    delta: ({ c, sign }) => [c.phone, c.day, c.prev_day, sign],
    fill: 'SELECT phone, day, prev_day, COUNT(*) FROM $conversations GROUP BY 1, 2, 3',
  }),
  // prev_day here is the previous conversation's day among the same source's (prev_src_day).
  sum_src: conversation({
    keys: [phone, day, source, prevDay],
    values: ['n'],
    delta: ({ c, sign }) => [c.phone, c.day, c.source, c.prev_src_day, sign],
    fill: 'SELECT phone, day, source, prev_src_day, COUNT(*) FROM $conversations GROUP BY 1, 2, 3, 4',
  }),
  sum_event: lead({
    keys: [phone, event, day, source],
    values: ['leads', 'occ'],
    delta: ({ c, event, leads, occ }) => [c.phone, event, c.day, c.source, leads, occ],
    fill: 'SELECT phone, event, day, source, COUNT(*), SUM(occurrences) FROM $conv_events GROUP BY 1, 2, 3, 4',
  }),
  sum_day_event: lead({
    keys: [phone, event, day],
    values: ['leads', 'occ'],
    delta: ({ c, event, leads, occ }) => [c.phone, event, c.day, leads, occ],
    fill: 'SELECT phone, event, day, COUNT(*), SUM(occurrences) FROM $conv_events GROUP BY 1, 2, 3',
  }),
  sum_rev: revenue({
    keys: [phone, event, day, source, currency],
    values: ['amount'],
    delta: ({ c, event, currency, amount }) => [c.phone, event, c.day, c.source, currency, amount],
    fill: revenueFill('c.phone, o.event, c.day, c.source, o.currency'),
  }),
  day_n: conversation({
    keys: [phone, day],
    values: ['n'],
    delta: ({ c, sign }) => [c.phone, c.day, sign],
    fill: 'SELECT phone, day, COUNT(*) FROM $conversations GROUP BY 1, 2',
  }),
  day_prev: conversation({
    keys: [phone, prevDay],
    values: ['n'],
    delta: ({ c, sign }) => (c.prev_day >= 0 ? [c.phone, c.prev_day, sign] : null),
    fill: 'SELECT phone, prev_day, COUNT(*) FROM $conversations WHERE prev_day >= 0 GROUP BY 1, 2',
  }),
  // rep: conversations whose previous one of the same contact and source exists (repeats).
  src_all: conversation({
    keys: [phone, source],
    values: ['n', 'rep'],
    delta: ({ c, sign }) => [c.phone, c.source, sign, c.prev_src_day >= 0 ? sign : 0],
    fill: 'SELECT phone, source, COUNT(*), SUM(prev_src_day >= 0) FROM $conversations GROUP BY 1, 2',
  }),
  src_prev: conversation({
    keys: [phone, prevDay, source],
    values: ['n'],
    delta: ({ c, sign }) => (c.prev_src_day >= 0 ? [c.phone, c.prev_src_day, c.source, sign] : null),
    fill: `SELECT phone, prev_src_day, source, COUNT(*) FROM $conversations
     WHERE prev_src_day >= 0 GROUP BY 1, 2, 3`,
  }),
  event_all: lead({
    keys: [phone, event, source],
    values: ['leads', 'occ'],
    delta: ({ c, event, leads, occ }) => [c.phone, event, c.source, leads, occ],
    fill: 'SELECT phone, event, source, COUNT(*), SUM(occurrences) FROM $conv_events GROUP BY 1, 2, 3',
  }),
  rev_all: revenue({
    keys: [phone, event, source, currency],
    values: ['amount'],
    delta: ({ c, event, currency, amount }) => [c.phone, event, c.source, currency, amount],
    fill: revenueFill('c.phone, o.event, c.source, o.currency'),
  }),
  day_rev: revenue({
    keys: [phone, event, day, currency],
    values: ['amount'],
    delta: ({ c, event, currency, amount }) => [c.phone, event, c.day, currency, amount],
    fill: revenueFill('c.phone, o.event, c.day, o.currency'),
  }),
  ...modelSummaries('ft'),
  ...modelSummaries('lpt'),
} as const satisfies Record<string, Summary>;

/** The models other than `conversation` (docs/metrics.md "Attribution models"), by their tables' prefix. */
export const MODEL_PREFIXES = { first_touch: 'ft', last_paid_touch: 'lpt' } as const;
export type ModelPrefix = (typeof MODEL_PREFIXES)[keyof typeof MODEL_PREFIXES];

/**
 * The source-keyed summaries of one model: sum_src, src_all, src_prev, sum_event, event_all, sum_rev and
 * rev_all above, keyed by the conversation's source in that model (`<m>_source`, and `<m>_prev_day` as
 * its prev_src_day), so a report in any model reads as few rows as one in the conversation model.
 */
function modelSummaries<M extends ModelPrefix>(m: M) {
  const src = `${m}_source` as const;
  const prev = `${m}_prev_day` as const;
  const leadFill = (keys: string) =>
    `SELECT ${keys}, COUNT(*), SUM(ce.occurrences) FROM $conv_events ce JOIN $conversations c ON c.id = ce.conv
     GROUP BY ${keys
       .split(',')
       .map((_, i) => i + 1)
       .join(', ')}`;
  return {
    [`${m}_sum_src`]: conversation({
      keys: [phone, day, source, prevDay],
      values: ['n'],
      delta: ({ c, sign }) => [c.phone, c.day, c[src], c[prev], sign],
      fill: `SELECT phone, day, ${src}, ${prev}, COUNT(*) FROM $conversations GROUP BY 1, 2, 3, 4`,
    }),
    [`${m}_src_all`]: conversation({
      keys: [phone, source],
      values: ['n', 'rep'],
      delta: ({ c, sign }) => [c.phone, c[src], sign, c[prev] >= 0 ? sign : 0],
      fill: `SELECT phone, ${src}, COUNT(*), SUM(${prev} >= 0) FROM $conversations GROUP BY 1, 2`,
    }),
    [`${m}_src_prev`]: conversation({
      keys: [phone, prevDay, source],
      values: ['n'],
      delta: ({ c, sign }) => (c[prev] >= 0 ? [c.phone, c[prev], c[src], sign] : null),
      fill: `SELECT phone, ${prev}, ${src}, COUNT(*) FROM $conversations WHERE ${prev} >= 0 GROUP BY 1, 2, 3`,
    }),
    [`${m}_sum_event`]: lead({
      keys: [phone, event, day, source],
      values: ['leads', 'occ'],
      delta: ({ c, event, leads, occ }) => [c.phone, event, c.day, c[src], leads, occ],
      fill: leadFill(`c.phone, ce.event, c.day, c.${src}`),
    }),
    [`${m}_event_all`]: lead({
      keys: [phone, event, source],
      values: ['leads', 'occ'],
      delta: ({ c, event, leads, occ }) => [c.phone, event, c[src], leads, occ],
      fill: leadFill(`c.phone, ce.event, c.${src}`),
    }),
    [`${m}_sum_rev`]: revenue({
      keys: [phone, event, day, source, currency],
      values: ['amount'],
      delta: ({ c, event, currency, amount }) => [c.phone, event, c.day, c[src], currency, amount],
      fill: revenueFill(`c.phone, o.event, c.day, c.${src}, o.currency`),
    }),
    [`${m}_rev_all`]: revenue({
      keys: [phone, event, source, currency],
      values: ['amount'],
      delta: ({ c, event, currency, amount }) => [c.phone, event, c[src], currency, amount],
      fill: revenueFill(`c.phone, o.event, c.${src}, o.currency`),
    }),
  } as Record<
    `${M}_${'sum_src' | 'src_all' | 'src_prev' | 'sum_event' | 'event_all' | 'sum_rev' | 'rev_all'}`,
    Summary
  >;
}

/** Day numbers per block of each level: 7-day and 28-day blocks, aligned so that four weeks make a block. */
export const WEEK_DAYS = 7;
export const BLOCK_DAYS = 28;

/**
 * Conversations per source over 7- and 28-day blocks, kept from sum_src by triggers: a 30-day range reads
 * four weeks and a few edge days instead of 30 days of (day, source) rows. Contacts per source come from
 * repeats (conversations whose previous one of the same contact and source is in the range), indexed apart.
 */
export const BLOCKS = {
  sum_src_w: { of: 'sum_src', days: WEEK_DAYS },
  sum_src_m: { of: 'sum_src', days: BLOCK_DAYS },
  ft_sum_src_w: { of: 'ft_sum_src', days: WEEK_DAYS },
  ft_sum_src_m: { of: 'ft_sum_src', days: BLOCK_DAYS },
  lpt_sum_src_w: { of: 'lpt_sum_src', days: WEEK_DAYS },
  lpt_sum_src_m: { of: 'lpt_sum_src', days: BLOCK_DAYS },
} as const;

/**
 * Contacts with conversations on two or more numbers, kept by triggers on conversations (filled after a bulk
 * load, like the blocks): a report over All numbers counts distinct contacts as the numbers' own counts minus
 * these contacts' extra numbers, read from their few conversations (report/all-numbers.ts). Since version 2.
 */
export const MULTI_NUMBER_CONTACTS = {
  table: 'CREATE TABLE $multi_contacts (contact TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;',
  fill: `INSERT INTO $multi_contacts
    SELECT contact FROM $conversations GROUP BY contact HAVING MIN(phone) <> MAX(phone)`,
  triggers: `
CREATE TRIGGER $multi_contacts_ins AFTER INSERT ON $conversations
WHEN NOT EXISTS (SELECT 1 FROM $multi_contacts WHERE contact = NEW.contact)
  AND EXISTS (SELECT 1 FROM $conversations WHERE contact = NEW.contact AND phone <> NEW.phone) BEGIN
  INSERT INTO $multi_contacts VALUES (NEW.contact);
END;
CREATE TRIGGER $multi_contacts_del AFTER DELETE ON $conversations
WHEN EXISTS (SELECT 1 FROM $multi_contacts WHERE contact = OLD.contact) BEGIN
  DELETE FROM $multi_contacts WHERE contact = OLD.contact
    AND (SELECT COUNT(DISTINCT phone) FROM $conversations WHERE contact = OLD.contact) < 2;
END;
CREATE TRIGGER $multi_contacts_upd AFTER UPDATE OF phone, contact ON $conversations BEGIN
  DELETE FROM $multi_contacts WHERE contact = OLD.contact
    AND (SELECT COUNT(DISTINCT phone) FROM $conversations WHERE contact = OLD.contact) < 2;
  INSERT OR IGNORE INTO $multi_contacts SELECT NEW.contact
    WHERE (SELECT COUNT(DISTINCT phone) FROM $conversations WHERE contact = NEW.contact) > 1;
END;`,
} as const;

/** Secondary indexes (the tables' keys and UNIQUE columns are part of their DDL), built in this order. */
export const INDEXES = {
  conv_first: 'CREATE UNIQUE INDEX $conv_first ON $conversations(first_message_id)',
  conv_thread: 'CREATE INDEX $conv_thread ON $conversations(phone, contact, start_ts)',
  // phone and source (since version 2) cover All numbers' reading of the contacts of several numbers.
  conv_contact: 'CREATE INDEX $conv_contact ON $conversations(contact, start_ts, phone, source)',
  conv_day: 'CREATE INDEX $conv_day ON $conversations(phone, day, source, contact)',
  conv_src: 'CREATE INDEX $conv_src ON $conversations(phone, source, day)',
  conv_ts: 'CREATE INDEX $conv_ts ON $conversations(phone, start_ts)',
  ce_event: 'CREATE INDEX $ce_event ON $conv_events(phone, event, day, first_delay)',
  external_conv: 'CREATE INDEX $external_conv ON $external(conv) WHERE conv IS NOT NULL',
  external_unattributed: 'CREATE INDEX $external_unattributed ON $external(ts, action) WHERE conv IS NULL',
  sum_day_event_day: 'CREATE INDEX $sum_day_event_day ON $sum_day_event(phone, day, event)',
  // Repeats per source are read from their own small index; a range's ad sources are found by kind (a
  // workspace has a few ads and can have 100,000s of first texts).
  conv_rep:
    'CREATE INDEX $conv_rep ON $conversations(phone, prev_src_day, day, source) WHERE prev_src_day >= 0',
  sources_kind: 'CREATE INDEX $sources_kind ON $sources(kind)',
  // conv_src and conv_rep for each model's source.
  ft_conv_src: 'CREATE INDEX $ft_conv_src ON $conversations(phone, ft_source, day)',
  ft_conv_rep:
    'CREATE INDEX $ft_conv_rep ON $conversations(phone, ft_prev_day, day, ft_source) WHERE ft_prev_day >= 0',
  lpt_conv_src: 'CREATE INDEX $lpt_conv_src ON $conversations(phone, lpt_source, day)',
  lpt_conv_rep:
    'CREATE INDEX $lpt_conv_rep ON $conversations(phone, lpt_prev_day, day, lpt_source) WHERE lpt_prev_day >= 0',
} as const;
