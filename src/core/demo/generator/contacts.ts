import type { Random } from '../random';
import { type DemoPhone, FIRST_NAMES, LAST_NAMES } from './brand';

export interface Contact {
  waId: string;
  name: string;
}

/** The people who write to each number: mostly new people, some come back. */
export class ContactPool {
  private readonly pool: Record<string, Contact[]> = {};

  constructor(private readonly rnd: Random) {}

  contactFor(phone: DemoPhone): Contact {
    const rnd = this.rnd;
    const list = this.pool[phone.phoneNumberId] ?? [];
    this.pool[phone.phoneNumberId] = list;
    if (list.length > 50 && rnd.chance(0.18)) return rnd.pick(list);
    const prefix = rnd.chance(0.85) ? phone.countryPrefix : rnd.pick(['49', '31', '43', '32', '41', '44']);
    const waId = `${prefix}${prefix === '49' ? '15' : '6'}${String(rnd.int(10_000_000, 99_999_999))}`;
    const last = rnd.pick(LAST_NAMES);
    const c = { waId, name: `${rnd.pick(FIRST_NAMES)}${last ? ` ${last}` : ''}` };
    list.push(c);
    return c;
  }
}
