import { describe, expect, it } from 'vitest';
import { numbersNamed, resolvePhone } from '../../../src/core/attribution/business-numbers';
import { feed, makeDb, PHONE, PHONE2, report } from './feed';

// One rule names a business number: by phone_number_id, else by the digits of its display number.

describe('which business number is this', () => {
  it('names a number by id first, else by display digits in any formatting', () => {
    const db = makeDb();
    expect(numbersNamed(db, PHONE).map((n) => n.id)).toEqual([PHONE]);
    expect(numbersNamed(db, '+1 (555) 000-2222').map((n) => n.id)).toEqual([PHONE2]);
    expect(numbersNamed(db, 'no digits')).toEqual([]);
    expect(resolvePhone(db, '15550001111').id).toBe(PHONE);
    expect(() => resolvePhone(db, '999')).toThrow('No business number "999" in this workspace');
  });

  it('counts an unattributed event for the number its app_id names, however the display number is written', () => {
    const db = makeDb();
    feed(db, {
      events: [
        {
          id: 'e1',
          action: 'Purchase',
          ts: '2026-03-03 10:00',
          contact: 'stranger',
          appId: '1-555-000-1111',
        },
        {
          id: 'e2',
          action: 'Purchase',
          ts: '2026-03-03 10:00',
          contact: 'stranger',
          appId: '+1 555 000 2222',
        },
      ],
    });
    expect(report(db, { event: 'ext:Purchase' }).unattributedExternalEvents).toBe(1);
    expect(report(db, { event: 'ext:Purchase', phone: PHONE2 }).unattributedExternalEvents).toBe(1);
  });
});
