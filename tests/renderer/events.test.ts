// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { groupEvents, matchEvents, pickEvent } from '../../src/renderer/src/lib/events';
import { fixtureEvents } from './fixtures';

describe('event grouping', () => {
  it('groups external → button → list → text, each by leads, dropping empty groups', () => {
    const groups = groupEvents(fixtureEvents, 5);
    expect(groups.map((g) => g.label)).toEqual([
      'Off-thread (external)',
      'In-thread: button reply',
      'In-thread: list reply',
      'In-thread: text reply',
    ]);
    expect(groups[0]!.events.map((e) => e.id)).toEqual(['ext:purchase', 'ext:signup']);
    expect(groupEvents(fixtureEvents.filter((e) => e.kind !== 'list')).map((g) => g.kind)).toEqual([
      'external',
      'button',
      'text',
    ]);
  });

  it('puts completed forms (WhatsApp Flows) between external events and button replies', () => {
    const flow = {
      id: 'flow:lead_form',
      kind: 'flow' as const,
      label: 'lead_form',
      leads: 1,
      occurrences: 1,
    };
    expect(groupEvents([...fixtureEvents, flow]).map((g) => g.kind)).toEqual([
      'external',
      'flow',
      'button',
      'list',
      'text',
    ]);
  });

  it('shows only the top events of a group and counts the rest', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({
      id: `text:t${i}`,
      kind: 'text' as const,
      label: `t${i}`,
      leads: i,
      occurrences: i,
    }));
    const [g] = groupEvents(many, 5);
    expect(g!.events.map((e) => e.leads)).toEqual([11, 10, 9, 8, 7]);
    expect(g!.more).toBe(7);
    // The list came with the first events of each kind only: the rest is counted from the core's count.
    const [cut] = groupEvents(many, 5, { text: 2400 });
    expect(cut!.events.map((e) => e.leads)).toEqual([11, 10, 9, 8, 7]);
    expect(cut!.more).toBe(2395);
  });

  it('searches labels and ids case-insensitively', () => {
    expect(matchEvents(fixtureEvents, 'BOOK').map((e) => e.id)).toEqual(['button:Book now']);
    expect(matchEvents(fixtureEvents, 'EXT:S').map((e) => e.id)).toEqual(['ext:signup']);
  });

  it('keeps a remembered event only while it is available, else takes the suggested one', () => {
    expect(pickEvent('list:Pricing', fixtureEvents, 'ext:purchase')).toBe('list:Pricing');
    expect(pickEvent('button:Gone', fixtureEvents, 'ext:purchase')).toBe('ext:purchase');
    expect(pickEvent(undefined, [], null)).toBeNull();
  });
});
