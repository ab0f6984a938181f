import { expect, it } from 'vitest';
import { rebuildDerived } from '../../../src/core/attribution/rebuild';
import { activePrefix } from '../../../src/core/attribution/tables';
import { feed, makeDb, report } from './feed';

// A lane keeps the key and kind of the source ids it counted between reports (report/source-handles.ts).
// They must never outlive the table set they came from, and a source's name is read afresh every time.

const rowsOf = (db: ReturnType<typeof makeDb>) =>
  Object.fromEntries(report(db).sources.map((s) => [s.id, [s.name, s.conversations]]));

it('a rebuild that gives the sources other ids is read with those ids, not the kept ones', async () => {
  const db = makeDb({ rollupThreshold: 1 });
  // Fed in this order, zeta gets the first id; a rebuild derives thread by thread (contact order): alpha first.
  feed(db, {
    messages: [
      { id: 'z1', ts: '2026-03-20 10:00', contact: '4920', text: 'zeta' },
      { id: 'z2', ts: '2026-03-20 11:00', contact: '4921', text: 'zeta' },
    ],
  });
  feed(db, { messages: [{ id: 'a1', ts: '2026-03-02 10:00', contact: '4910', text: 'alpha' }] });
  const before = rowsOf(db);
  expect(before).toEqual({ 'text:zeta': ['zeta', 2], 'text:alpha': ['alpha', 1] });
  const p = activePrefix(db);
  const idsOf = () => db.prepare(`SELECT key, id FROM ${activePrefix(db)}sources ORDER BY key`).all();
  const fed = idsOf();
  // Twice, so the same table set (prefix) is active again, filled anew.
  await rebuildDerived(db);
  await rebuildDerived(db);
  expect(activePrefix(db)).toBe(p);
  expect(idsOf()).not.toEqual(fed);
  expect(rowsOf(db)).toEqual(before);
  db.close();
});

it('a source named by an earlier message that arrives late shows its new name in the next report', () => {
  const db = makeDb();
  const adMessage = (id: string, ts: string, contact: string, headline: string) => ({
    id,
    ts,
    contact,
    text: 'Hi',
    referral: { source_id: '42', headline },
  });
  feed(db, { messages: [adMessage('m2', '2026-03-10 10:00', 'c1', 'Later')] });
  expect(report(db).sources.find((s) => s.id === 'ad:42')?.name).toBe('Later');
  feed(db, { messages: [adMessage('m1', '2026-03-05 10:00', 'c2', 'Earlier')] });
  expect(report(db).sources.find((s) => s.id === 'ad:42')?.name).toBe('Earlier');
  db.close();
});
