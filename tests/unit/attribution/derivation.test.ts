import { describe, expect, it } from 'vitest';
import { appliedConfig, getState, setState } from '../../../src/core/attribution/config';
import type { RebuildState } from '../../../src/core/attribution/derive';
import { eraseDerivedForContact } from '../../../src/core/attribution/erase';
import { rebuildDerived, rebuildNeeded } from '../../../src/core/attribution/rebuild';
import { activePrefix } from '../../../src/core/attribution/tables';
import { openDatabase } from '../../../src/core/db/open';
import { setSetting } from '../../../src/core/db/settings';
import { conversations, feed, makeDb, report, t } from './feed';

describe('incremental derivation', () => {
  it('a message older than the stored ones re-derives only its thread', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'b', ts: '2026-03-03 10:00', text: 'second', contact: 'c1' },
        { id: 'x', ts: '2026-03-03 10:00', text: 'other', contact: 'c2' },
      ],
    });
    const other = db.prepare("SELECT id FROM attr_conversations WHERE contact = 'c2'").pluck().get();
    feed(db, { messages: [{ id: 'a', ts: '2026-03-02 12:00', text: 'first', contact: 'c1' }] });
    expect(conversations(db).filter((c) => c.contact === 'c1')).toMatchObject([
      { first: 'a', source: 'text:first' },
    ]);
    // c2's conversation row was not touched (same rowid).
    expect(db.prepare("SELECT id FROM attr_conversations WHERE contact = 'c2'").pluck().get()).toBe(other);
  });

  it('a referral arriving late splits the conversation it lands in', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'hi' },
        { id: 'c', ts: '2026-03-02 10:20', text: 'yes' },
      ],
    });
    feed(db, {
      messages: [{ id: 'b', ts: '2026-03-02 10:10', text: 'from the ad', referral: { source_id: '9' } }],
    });
    expect(conversations(db).map((c) => [c.first, c.source])).toEqual([
      ['a', 'text:hi'],
      ['b', 'ad:9'],
    ]);
    const r = report(db, { event: 'text:yes' });
    expect(r.sources.find((s) => s.id === 'ad:9')?.leads).toBe(1);
  });

  it('a reply whose business message is already known gets the template source at once', () => {
    const db = makeDb();
    feed(db, { outgoing: [{ id: 'wamid.o', template: 'welcome' }] });
    feed(db, {
      messages: [
        {
          id: 'm',
          ts: '2026-03-02 10:00',
          interactive: { type: 'button_reply', id: 'b1', title: 'Go' },
          contextId: 'wamid.o',
        },
      ],
    });
    expect(conversations(db).map((c) => c.source)).toEqual(['tpl:welcome']);
    const r = report(db, { event: 'button:Go' });
    expect(r.totals.leads).toBe(1);
  });

  it('a reply to a business message without template keeps the interactive reply id', () => {
    const db = makeDb();
    feed(db, {
      outgoing: [{ id: 'wamid.o' }],
      messages: [
        {
          id: 'm',
          ts: '2026-03-02 10:00',
          interactive: { type: 'button_reply', id: 'b1', title: 'Go' },
          contextId: 'wamid.o',
        },
      ],
    });
    expect(conversations(db).map((c) => c.source)).toEqual(['reply:b1']);
  });

  it('an external event stored before the messages is attributed once they arrive', () => {
    const db = makeDb();
    feed(db, { events: [{ id: 'e', action: 'Purchase', ts: '2026-03-02 12:00', amount: 5 }] });
    expect(report(db, { event: 'ext:Purchase' }).unattributedExternalEvents).toBe(1);
    feed(db, { messages: [{ id: 'm', ts: '2026-03-02 10:00', text: 'hi' }] });
    const r = report(db, { event: 'ext:Purchase' });
    expect(r.totals).toMatchObject({ leads: 1, revenue: 5 });
    expect(r.unattributedExternalEvents).toBe(0);
  });

  it('a chained event arriving before the event it names is attributed when that one arrives', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'm1', ts: '2026-03-02 10:00', text: 'hi', phone: '1000000001' },
        { id: 'm2', ts: '2026-03-04 10:00', text: 'hi', phone: '1000000002' },
      ],
    });
    feed(db, { events: [{ id: 'e2', action: 'Purchase', ts: '2026-03-05 10:00', previous: 'lead-1' }] });
    expect(report(db, { event: 'ext:Purchase' }).totals.leads).toBe(0); // goes to m2 on PN2
    feed(db, {
      events: [{ id: 'e1', eventId: 'lead-1', action: 'Lead', ts: '2026-03-03 10:00', appId: '1000000001' }],
    });
    expect(report(db, { event: 'ext:Purchase' }).totals.leads).toBe(1);
  });

  it('zero conversations: an empty report with every bucket', () => {
    const db = makeDb();
    const r = report(db);
    expect(r.event).toBeNull();
    expect(r.totals).toMatchObject({
      conversations: 0,
      contacts: 0,
      leads: 0,
      conversionRate: 0,
      invested: null,
      costPerLead: null,
      revenue: null,
    });
    expect(r.sources).toEqual([]);
    expect(r.series).toHaveLength(31);
    expect(r.funnel).toEqual([
      {
        eventId: null,
        label: 'Conversations started',
        conversations: 0,
        rateFromStart: 0,
        rateFromPrevious: 0,
        medianSecondsFromStart: null,
      },
    ]);
  });

  it('erasing a contact removes its conversations and summaries', () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'hi', contact: 'c1' },
        { id: 'b', ts: '2026-03-02 10:00', text: 'hi', contact: 'c2' },
      ],
      events: [{ id: 'e', action: 'Purchase', ts: '2026-03-02 11:00', contact: 'c1', amount: 3 }],
    });
    db.transaction(() => {
      db.prepare("DELETE FROM messages WHERE contact_id = 'c1'").run();
      db.prepare("DELETE FROM external_events WHERE contact_id = 'c1'").run();
      eraseDerivedForContact(db, 'c1');
    })();
    const r = report(db, { event: 'ext:Purchase' });
    // The only purchase with an amount is gone: the event no longer carries revenue (docs/metrics.md).
    expect(r.totals).toMatchObject({ conversations: 1, contacts: 1, leads: 0, revenue: null });
    expect(conversations(db).map((c) => c.contact)).toEqual(['c2']);
    expect(report(db, { event: 'ext:Purchase' }, { forceExact: true })).toEqual(r);
  });

  it("erasing a contact also removes its events chained into another contact's conversation", () => {
    const db = makeDb();
    feed(db, {
      messages: [{ id: 'a', ts: '2026-03-02 10:00', text: 'hi', contact: 'c1' }],
      events: [
        { id: 'e1', eventId: 'shop-1', action: 'Lead', ts: '2026-03-02 11:00', contact: 'c1' },
        {
          id: 'e2',
          action: 'Purchase',
          ts: '2026-03-02 12:00',
          contact: 'c2',
          previous: 'shop-1',
          amount: 4,
        },
      ],
    });
    expect(report(db, { event: 'ext:Purchase' }).totals).toMatchObject({ leads: 1, revenue: 4 });
    db.transaction(() => {
      db.prepare("DELETE FROM external_events WHERE contact_id = 'c2'").run();
      eraseDerivedForContact(db, 'c2');
    })();
    expect(report(db, { event: 'ext:Purchase' }).totals).toMatchObject({
      conversations: 1,
      leads: 0,
      revenue: null,
    });
    expect(report(db, { event: 'ext:Lead' }).totals.leads).toBe(1);
  });
});

/** Thirty contacts with two conversations each a day apart: one each with a 48-hour window. */
function feedThirtyContacts(db: ReturnType<typeof makeDb>): void {
  const msgs = [];
  for (let i = 0; i < 30; i++) {
    msgs.push({ id: `a${i}`, ts: t('2026-03-02 10:00') + i * 60, text: 'hi', contact: `c${i}` });
    msgs.push({ id: `b${i}`, ts: t('2026-03-03 12:00') + i * 60, text: 'again', contact: `c${i}` });
  }
  feed(db, { messages: msgs });
}

describe('rebuild on a derivation setting change', () => {
  it('reports keep the old result until the new one is swapped in, with progress', async () => {
    const db = makeDb();
    feedThirtyContacts(db);
    expect(report(db).totals.conversations).toBe(60);
    setSetting(db, 'conversationWindowHours', 48);
    expect(rebuildNeeded(db)).toBe(true);
    const before = activePrefix(db);
    const seen: number[] = [];
    const progress: (number | null)[] = [];
    await rebuildDerived(db, {
      chunk: 7,
      progress: (f) => progress.push(f),
      yield: async () => {
        // Mid-rebuild: the old result is still what a report reads, and new messages still derive.
        seen.push(report(db).totals.conversations);
      },
    });
    expect(seen.length).toBeGreaterThan(2);
    expect(new Set(seen)).toEqual(new Set([60]));
    expect(progress.at(-1)).toBe(1);
    expect(activePrefix(db)).not.toBe(before);
    expect(appliedConfig(db).windowSeconds).toBe(48 * 3600);
    expect(report(db).totals.conversations).toBe(30);
    expect(rebuildNeeded(db)).toBe(false);
  });

  it('deliveries during a rebuild are in the new result', async () => {
    const db = makeDb();
    feed(db, { messages: [{ id: 'a', ts: '2026-03-02 10:00', text: 'hi', contact: 'c1' }] });
    setSetting(db, 'timezone', 'UTC');
    let fed = false;
    await rebuildDerived(db, {
      chunk: 1,
      yield: async () => {
        if (fed) return;
        fed = true;
        feed(db, {
          messages: [
            { id: 'b', ts: '2026-03-05 10:00', text: 'hello', contact: 'c2' },
            { id: 'a0', ts: '2026-03-01 09:00', text: 'earlier', contact: 'c1' },
          ],
        });
      },
    });
    expect(conversations(db).map((c) => c.first)).toEqual(['a0', 'a', 'b']);
    expect(report(db, { timezone: 'UTC' }).totals.conversations).toBe(3);
    expect(report(db, { timezone: 'UTC' })).toEqual(report(db, { timezone: 'UTC' }, { forceExact: true }));
  });

  it('a contact erased at any point of a rebuild is gone from its result, summaries included', async () => {
    // Yields: after each of the load's chunks, each index, the external events and the summaries.
    let phases = 0;
    for (let at = 0; at === 0 || at < phases; at++) {
      const db = makeDb();
      feed(db, {
        messages: [
          { id: 'a', ts: '2026-03-02 10:00', text: 'hi', contact: 'c1' },
          { id: 'b', ts: '2026-03-02 11:00', text: 'hi', contact: 'c2' },
          { id: 'c', ts: '2026-03-05 10:00', text: 'yes', contact: 'c1' },
        ],
        events: [
          { id: 'e1', action: 'Purchase', ts: '2026-03-02 12:00', contact: 'c1', amount: 3 },
          { id: 'e2', action: 'Purchase', ts: '2026-03-02 12:00', contact: 'c2', amount: 5 },
        ],
      });
      setSetting(db, 'timezone', 'UTC');
      let calls = 0;
      await rebuildDerived(db, {
        chunk: 1,
        yield: async () => {
          if (calls++ !== at) return;
          db.transaction(() => {
            db.prepare("DELETE FROM messages WHERE contact_id = 'c1'").run();
            db.prepare("DELETE FROM external_events WHERE contact_id = 'c1'").run();
            eraseDerivedForContact(db, 'c1');
          })();
        },
      });
      expect(calls).toBeGreaterThan(at);
      if (at === 0) phases = calls;
      const q = { timezone: 'UTC', event: 'ext:Purchase' };
      expect(conversations(db).map((c) => c.contact)).toEqual(['c2']);
      expect(report(db, q).totals).toMatchObject({ conversations: 1, leads: 1, revenue: 5 });
      expect(report(db, q)).toEqual(report(db, q, { forceExact: true }));
    }
    expect(phases).toBeGreaterThan(12); // the indexes are built one per transaction
  });

  it('rebuilds asked for at once run one after the other; one no longer needed is skipped', async () => {
    const db = makeDb();
    feed(db, {
      messages: [
        { id: 'a', ts: '2026-03-02 10:00', text: 'hi', contact: 'c1' },
        { id: 'b', ts: '2026-03-02 23:30', text: 'hi', contact: 'c2' },
      ],
    });
    setSetting(db, 'timezone', 'UTC');
    const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
    const first = rebuildDerived(db, { chunk: 1, yield: pause });
    const again = rebuildDerived(db, { chunk: 1, yield: pause });
    const skipped = rebuildDerived(db, { onlyIf: () => rebuildNeeded(db) });
    expect(await first).toEqual({ conversations: 2 });
    expect(await again).toEqual({ conversations: 2 });
    expect(await skipped).toBeNull();
    expect(rebuildNeeded(db)).toBe(false);
    const q = { timezone: 'UTC' };
    expect(report(db, q).totals.conversations).toBe(2);
    expect(report(db, q)).toEqual(report(db, q, { forceExact: true }));
  });

  it('a cancelled rebuild leaves the old result in place', async () => {
    const db = makeDb();
    feed(db, { messages: [{ id: 'a', ts: '2026-03-02 10:00', text: 'hi', contact: 'c1' }] });
    db.prepare("INSERT INTO attr_keywords (keyword, added_at) VALUES ('hi', 0)").run();
    const ac = new AbortController();
    ac.abort();
    await expect(rebuildDerived(db, { signal: ac.signal })).rejects.toThrow(/cancelled/);
    expect(conversations(db).map((c) => c.source)).toEqual(['text:hi']);
    expect(rebuildNeeded(db)).toBe(true);
    await rebuildDerived(db);
    expect(conversations(db).map((c) => c.source)).toEqual(['kw:hi']);
  });
});

describe('rebuilds from two processes on one data folder', () => {
  // Two connections to one file stand for the app and a CLI: the per-connection queue does not see
  // across them, the claim in attr_state does.
  const setup = () => {
    const db = makeDb();
    feedThirtyContacts(db);
    setSetting(db, 'conversationWindowHours', 48);
    return { db, other: openDatabase(db.name) };
  };
  const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('a second rebuild waits for the first instead of filling the same set, then skips or runs', async () => {
    for (const onlyIf of [true, false]) {
      const { db, other } = setup();
      const first = rebuildDerived(db, { chunk: 3, yield: pause });
      await pause(); // the first has claimed the inactive set and loaded a chunk
      expect(getState<RebuildState>(other, 'rebuild')).toMatchObject({ owner: { pid: process.pid } });
      const second = rebuildDerived(other, {
        chunk: 3,
        pollMs: 2,
        ...(onlyIf ? { onlyIf: () => rebuildNeeded(other) } : {}),
      });
      expect(await first).toEqual({ conversations: 30 });
      expect(await second).toEqual(onlyIf ? null : { conversations: 30 });
      for (const conn of [db, other]) {
        expect(rebuildNeeded(conn)).toBe(false);
        expect(report(conn).totals.conversations).toBe(30);
        expect(report(conn)).toEqual(report(conn, {}, { forceExact: true }));
      }
      other.close();
    }
  });

  it('a claim whose process is gone, or that stopped showing progress, is taken over; a live one is waited for', async () => {
    const { db, other } = setup();
    const claim = (pid: number, age: number) =>
      setState(other, 'rebuild', {
        target: 'attr_b_',
        config: appliedConfig(other),
        startedAt: 0,
        owner: { pid, id: 'elsewhere' },
        heartbeatAt: Date.now() - age,
      } satisfies RebuildState);

    claim(process.pid, 0);
    const ac = new AbortController();
    let waited!: () => void;
    const sawWaiting = new Promise<void>((resolve) => {
      waited = resolve;
    });
    const waiting = rebuildDerived(db, {
      signal: ac.signal,
      pollMs: 2,
      progress: (_f, detail) => {
        if (detail?.startsWith('Waiting')) waited();
      },
    });
    await sawWaiting;
    ac.abort();
    await expect(waiting).rejects.toThrow(/cancelled/);
    // Waiting touched nothing of the other rebuild's.
    expect(getState<RebuildState>(db, 'rebuild')?.owner?.id).toBe('elsewhere');

    claim(process.pid, 121_000);
    expect(await rebuildDerived(db)).toEqual({ conversations: 30 });

    setSetting(db, 'conversationWindowHours', 24);
    claim(2 ** 22 + 54_321, 0); // above Linux's largest pid: no such process
    expect(await rebuildDerived(db)).toEqual({ conversations: 60 });
    expect(getState(db, 'rebuild')).toBeNull();
    other.close();
  });
});
