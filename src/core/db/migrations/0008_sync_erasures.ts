import type { Migration } from '../migrate';

// Erasures reach desktops through collector sync (docs/collector.md, "Sync protocol"). The feed serves
// rows that exist, so a contact erased on the collector would otherwise stay on every desktop that had
// already synced it. Each erase logs the sha256 of the erased contact id — never the number itself — and
// the feed serves the log in order, before the rows stored after it.
export const m0008: Migration = {
  id: 8,
  name: 'sync_erasures',
  up: `
CREATE TABLE sync_erasures (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  contact_hash BLOB NOT NULL,            -- sha256 of the contact id (digits, or bsuid:<user id>)
  erased_at INTEGER NOT NULL             -- unix ms
) STRICT;
`,
};
