// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  DASH,
  formatChange,
  formatCompact,
  formatDate,
  formatDuration,
  formatMoney,
  formatPercent,
  formatRange,
  formatRatio,
} from '../../src/renderer/src/lib/format';

describe('format', () => {
  it('shows a dash for undefined values, never 0 or NaN', () => {
    expect(formatMoney(null, 'EUR', 'en-US')).toBe(DASH);
    expect(formatPercent(Number.NaN, 'en-US')).toBe(DASH);
    expect(formatRatio(null, 'en-US')).toBe(DASH);
    expect(formatDuration(null)).toBe(DASH);
  });

  it('formats percentages with one decimal and money with the currency', () => {
    expect(formatPercent(0.2083, 'en-US')).toBe('20.8%');
    expect(formatPercent(0, 'en-US')).toBe('0.0%');
    expect(formatMoney(12.5, 'EUR', 'en-US')).toBe('€12.50');
    expect(formatMoney(12345.67, 'USD', 'en-US')).toBe('$12,346');
    expect(formatMoney(0, 'USD', 'en-US')).toBe('$0.00');
    expect(formatMoney(12.5, 'EUR', 'de-DE')).toBe('12,50\u00a0€');
  });

  it('compacts only large numbers', () => {
    expect(formatCompact(9_999, 'en-US')).toBe('9,999');
    expect(formatCompact(1_234_567, 'en-US')).toBe('1.2M');
  });

  it('formats durations as the two largest units', () => {
    expect(formatDuration(40)).toBe('40 s');
    expect(formatDuration(7200)).toBe('2 h');
    expect(formatDuration(93_780)).toBe('1 d 2 h');
    expect(formatDuration(750)).toBe('12 min');
  });

  it('formats plain dates without a timezone shift', () => {
    expect(formatDate('2026-03-01', 'en-US')).toBe('Mar 1, 2026');
    expect(formatRange('2026-03-01', '2026-03-30', 'en-US')).toBe('Mar 1 – Mar 30, 2026');
  });

  it('computes changes relatively, and rates in percentage points', () => {
    expect(formatChange(120, 100, 'relative', 'en-US')).toEqual({ text: '+20.0%', direction: 'up' });
    expect(formatChange(80, 100, 'relative', 'en-US')).toEqual({ text: '-20.0%', direction: 'down' });
    expect(formatChange(0.12, 0.1, 'points', 'en-US')).toEqual({ text: '+2.0 pp', direction: 'up' });
    expect(formatChange(5, 0, 'relative', 'en-US')).toEqual({ text: 'new', direction: 'up' });
    expect(formatChange(null, 3, 'relative', 'en-US').text).toBeNull();
  });
});
