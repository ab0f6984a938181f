import type { Migration } from '../migrate';

// Parts of real webhook payloads that had nowhere to go (docs/ingestion.md, "What is stored"):
// - the group a message was sent in, and a group status's type and participant (Groups API);
// - delivery-level `errors` (a `value` that carries only errors), one row per error;
// - numbers contacts changed to (`user_changed_number` system messages), so a contact keeps one id.
// Flow completions and edits stored before kept their content in `extra`: their reply name/title and new
// text are filled from there, so the rebuild of the new derivation rules reads them as new rows are.
// (A group message stored before has no group id anywhere but its raw payload: it stays as stored.)
export const m0009: Migration = {
  id: 9,
  name: 'real_payloads',
  up: `
ALTER TABLE messages ADD COLUMN group_id TEXT;
ALTER TABLE statuses ADD COLUMN recipient_type TEXT;            -- 'group' for a group message, else NULL
ALTER TABLE statuses ADD COLUMN recipient_participant_id TEXT;  -- a group participant's number (digits)
ALTER TABLE statuses ADD COLUMN recipient_participant_user_id TEXT; -- a group participant's BSUID

CREATE TABLE webhook_errors (
  raw_payload_id INTEGER NOT NULL REFERENCES raw_payloads(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,                  -- position in the delivery
  phone_number_id TEXT,
  code TEXT,
  title TEXT,
  message TEXT,
  details TEXT,
  PRIMARY KEY (raw_payload_id, idx)
) STRICT;

UPDATE messages SET
  interactive_id = coalesce(interactive_id, extra ->> '$.interactive.nfm_reply.name'),
  interactive_title = coalesce(interactive_title, extra ->> '$.interactive.nfm_reply.body'),
  text = coalesce(text, extra ->> '$.interactive.nfm_reply.body')
WHERE interactive_type = 'nfm_reply' AND json_valid(extra);
UPDATE messages SET text = extra ->> '$.edit.message.text.body'
WHERE type = 'edit' AND text IS NULL AND json_valid(extra);

CREATE TABLE contact_number_changes (
  old_id TEXT PRIMARY KEY,               -- the number (digits) the contact left
  new_id TEXT NOT NULL,                  -- the contact it moved to
  ts INTEGER NOT NULL                    -- unix seconds of the system message
) STRICT;
`,
};
