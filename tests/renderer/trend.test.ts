import { describe, expect, it } from 'vitest';
import { bucketDates, bucketLabel, partialNote, segmentDash } from '../../src/renderer/src/lib/trend';

const point = (bucket: string, to: string, partial: boolean) => ({
  bucket,
  to,
  partial,
  conversations: 1,
  leads: 0,
});

describe('trend labels and partial buckets', () => {
  it('labels months with the full year, never "Dec 25"', () => {
    const dec = point('2025-12-01', '2025-12-31', false);
    expect(bucketLabel(dec, 'month')).toMatch(/^Dec 2025$/);
    expect(bucketLabel(point('2026-03-04', '2026-03-08', true), 'week')).toMatch(/^(4 Mar|Mar 4)$/);
  });

  it('gives a partial bucket its real dates in the tooltip note', () => {
    const first = point('2026-03-04', '2026-03-08', true);
    expect(bucketDates(first)).toMatch(/4.*8 Mar 2026|Mar 4.*8, 2026|Mar 4.*Mar 8, 2026/);
    expect(partialNote(first, 'week')).toMatch(/^Partial week: counts .* only$/);
    expect(partialNote(point('2026-03-09', '2026-03-15', false), 'week')).toBeNull();
    expect(bucketDates(point('2026-03-09', '2026-03-09', false))).toMatch(/2026/);
  });

  it('dashes the segments that touch a partial bucket: the first and the last here', () => {
    const series = [
      point('2026-03-04', '2026-03-08', true),
      point('2026-03-09', '2026-03-15', false),
      point('2026-03-16', '2026-03-22', false),
      point('2026-03-23', '2026-03-24', true),
    ];
    const dash = segmentDash(series);
    expect([0, 1, 2].map((i) => dash({ p0DataIndex: i, p1DataIndex: i + 1 }))).toEqual([
      [6, 4],
      undefined,
      [6, 4],
    ]);
  });
});
