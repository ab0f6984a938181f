import type { PhoneNumber } from '../../shared/contract/app';
import type { Db } from '../db/open';
import { isoOfUnix } from '../time/iso';

/** Business numbers seen in data or added as channels; a channel's name is the number's display name. */
export const listPhones = (db: Db): PhoneNumber[] =>
  (
    db
      .prepare(
        `SELECT id, display, name, f, l FROM (
           SELECT b.phone_number_id AS id, b.display_number AS display, COALESCE(c.name, b.name) AS name,
                  b.first_message_at AS f, b.last_message_at AS l
           FROM business_numbers b LEFT JOIN channels c ON c.phone_number_id = b.phone_number_id
           UNION ALL
           SELECT c.phone_number_id, NULL, c.name, NULL, NULL FROM channels c
           WHERE c.phone_number_id NOT IN (SELECT phone_number_id FROM business_numbers))
         ORDER BY COALESCE(name, display, id)`,
      )
      .all() as {
      id: string;
      display: string | null;
      name: string | null;
      f: number | null;
      l: number | null;
    }[]
  ).map((r) => ({
    id: r.id,
    display: r.display,
    name: r.name,
    firstMessageAt: isoOfUnix(r.f),
    lastMessageAt: isoOfUnix(r.l),
  }));
