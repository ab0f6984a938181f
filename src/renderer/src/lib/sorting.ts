import type { SortingFn } from '@tanstack/react-table';

/**
 * Rows without a value ("—") sort after every number in both directions. TanStack multiplies a sorting
 * function's result by −1 when descending (https://tanstack.com/table/v8/docs/api/features/sorting#sortingfn),
 * so the function needs the direction to keep them last.
 */
export function nullsLast<T>(desc: boolean): SortingFn<T> {
  return (a, b, id) => {
    const x = a.getValue<number | null>(id);
    const y = b.getValue<number | null>(id);
    if (x === y) return 0;
    if (x === null) return desc ? -1 : 1;
    if (y === null) return desc ? 1 : -1;
    return x < y ? -1 : 1;
  };
}
