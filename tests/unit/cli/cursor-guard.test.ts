import { afterEach, expect, it, vi } from 'vitest';
import { guardCursor } from '../../../src/cli/cursor-guard';

// Issue 14, item 20: a kill during an import must not leave the terminal's cursor hidden.

let unguard: (() => void) | undefined;
afterEach(() => unguard?.());

it.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)('%s shows the cursor again and exits with %i', (signal, code) => {
  const writes: string[] = [];
  const exit = vi.fn();
  unguard = guardCursor({ write: (s: string) => writes.push(s) }, exit);
  process.emit(signal);
  expect(writes).toEqual(['\x1b[?25h']);
  expect(exit).toHaveBeenCalledWith(code);
});

it('shows the cursor on any exit while the bar runs, and nothing once it is removed', () => {
  const before = process.listenerCount('SIGTERM');
  const writes: string[] = [];
  unguard = guardCursor({ write: (s: string) => writes.push(s) }, vi.fn());
  process.emit('exit', 1);
  expect(writes).toEqual(['\x1b[?25h']);
  unguard();
  unguard = undefined;
  expect(process.listenerCount('SIGTERM')).toBe(before);
});
