import { ApiError } from '../../shared/contract/errors';
import type { Db } from '../db/open';
import { cachedStatement } from '../db/statements';

// "Which business number is this": a report's --phone, an ad account's linked numbers and an external
// event's app_id all name a number the same way (docs/metrics.md, "Attribution of external events").

export interface PhoneInfo {
  id: string;
  display: string | null;
  name: string | null;
  digits: string | null;
}

const SELECT =
  'SELECT phone_number_id AS id, display_number AS display, name, display_digits AS digits FROM business_numbers';

/**
 * The business numbers a text names: the one whose phone_number_id it is; else every number whose display
 * number has the text's digits (in phone_number_id order); else none.
 */
export function numbersNamed(db: Db, text: string): PhoneInfo[] {
  const byId = cachedStatement(db, `${SELECT} WHERE phone_number_id = ?`).get(text) as PhoneInfo | undefined;
  if (byId) return [byId];
  const digits = text.replace(/\D/g, '');
  if (digits === '') return [];
  return cachedStatement(db, `${SELECT} WHERE display_digits = ? ORDER BY phone_number_id`).all(
    digits,
  ) as PhoneInfo[];
}

/**
 * The number a caller names (the first of numbersNamed), else a channel added before its first delivery
 * (phones.list lists it: its report is empty, not an error); a clear error when there is none.
 */
export function resolvePhone(db: Db, phone: string, field = 'phone'): PhoneInfo {
  const found = numbersNamed(db, phone)[0];
  if (found) return found;
  const channel = cachedStatement(
    db,
    'SELECT phone_number_id AS id, NULL AS display, name, NULL AS digits FROM channels WHERE phone_number_id = ?',
  ).get(phone) as PhoneInfo | undefined;
  if (channel) return channel;
  throw new ApiError('not_found', `No business number "${phone}" in this workspace`, field);
}

/** SQL: `column` (an app_id) is empty or one of the JSON array bound to its `?` (from appIdsOfNumber). */
export const appIdAmong = (column: string): string =>
  `(${column} IS NULL OR ${column} = '' OR ${column} IN (SELECT value FROM json_each(?)))`;

/**
 * Among external events' app_id values, those that name `phoneId` (attribution looks only at that
 * number's conversations for them) or, given several (All numbers), one of them, as the JSON array
 * appIdAmong binds.
 */
export function appIdsOfNumber(
  db: Db,
  phoneId: string | readonly string[],
  appIds: readonly (string | null)[],
): string {
  const ids = typeof phoneId === 'string' ? [phoneId] : phoneId;
  const mine = appIds.filter(
    (a): a is string => a !== null && a !== '' && numbersNamed(db, a).some((n) => ids.includes(n.id)),
  );
  return JSON.stringify(mine);
}
