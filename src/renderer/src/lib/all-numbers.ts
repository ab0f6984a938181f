import { ALL_NUMBERS, ALL_NUMBERS_NAME, isAllNumbers } from '../../../shared/all-numbers';
import type { PhoneNumber } from '../../../shared/contract';

// The number picker's "All numbers" entry (docs/metrics.md "All numbers"): offered when the workspace has
// two or more numbers; it stands in the picker, the title and file names like a number of its own.

export const offersAllNumbers = (phones: readonly PhoneNumber[] | null): boolean =>
  (phones?.length ?? 0) >= 2;

// One object per list of numbers: store selectors compare by identity, and a new object on every call
// would re-render without end.
const allOf = new WeakMap<readonly PhoneNumber[], PhoneNumber>();

/** The selected number, or All numbers spanning every number's first and last message. */
export function selectedPhone(phones: readonly PhoneNumber[] | null, id: string | null): PhoneNumber | null {
  if (!phones || id === null) return null;
  if (!isAllNumbers(id)) return phones.find((p) => p.id === id) ?? null;
  if (!offersAllNumbers(phones)) return null;
  let all = allOf.get(phones);
  if (!all) {
    const times = (k: 'firstMessageAt' | 'lastMessageAt') =>
      phones
        .map((p) => p[k])
        .filter((t): t is string => t !== null)
        .sort();
    all = {
      id: ALL_NUMBERS,
      display: null,
      name: ALL_NUMBERS_NAME,
      firstMessageAt: times('firstMessageAt')[0] ?? null,
      lastMessageAt: times('lastMessageAt').at(-1) ?? null,
    };
    allOf.set(phones, all);
  }
  return all;
}
