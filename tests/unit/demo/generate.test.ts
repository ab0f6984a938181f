import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../../src/core/demo/generate';

// The demo template is cached per DEMO_VERSION (src/core/demo/template.ts): a change to what the generator
// produces for a seed must bump it. These digests were taken from the generator as it was before it was
// split into steps, so any refactoring that changes one byte of the data (payloads, ads, send log, events)
// fails here. The "now" falls on the night Europe/Berlin moves to summer time.
const NOW = DateTime.fromISO('2026-03-29T23:30:00', { zone: 'UTC' });

const digest = (seed: number, scale: number) =>
  createHash('sha256')
    .update(JSON.stringify(generateDemo({ seed, scale, now: NOW })))
    .digest('hex');

describe('generateDemo is deterministic for a seed', () => {
  it.each([
    [7, 0.05, '45e1d55822c1f11c6afe6065c64f3f974099a5db78d0db1192884889bf3a7caf'],
    [42, 0.2, 'f7f0acb2812d25c8d88e5fd9a8df1eed4895ff22e5cd3f6ca0128b26595eadf5'],
  ])('seed %i at scale %f gives the recorded data', (seed, scale, expected) => {
    expect(digest(seed, scale)).toBe(expected);
  });

  it('another seed gives other data', () => {
    expect(digest(8, 0.05)).not.toBe(digest(7, 0.05));
  });
});
