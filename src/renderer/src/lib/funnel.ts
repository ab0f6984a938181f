// Funnel editing: steps 1..k (k ≤ 5) are event ids; step 0 ("Conversations started") is implicit.

import { MAX_FUNNEL_STEPS } from '../../../shared/contract/limits';

export { MAX_FUNNEL_STEPS };

export function addStep(steps: readonly string[], eventId: string): string[] {
  if (steps.length >= MAX_FUNNEL_STEPS) return [...steps];
  return [...steps, eventId];
}

export function removeStep(steps: readonly string[], index: number): string[] {
  if (index < 0 || index >= steps.length) return [...steps];
  return steps.filter((_, i) => i !== index);
}

/** Moves a step by `delta` places, clamped to the ends. */
export function moveStep(steps: readonly string[], index: number, delta: number): string[] {
  const to = Math.max(0, Math.min(steps.length - 1, index + delta));
  if (index < 0 || index >= steps.length || to === index) return [...steps];
  const next = [...steps];
  const [item] = next.splice(index, 1);
  next.splice(to, 0, item as string);
  return next;
}

/** The steps the report is asked for: the user's, else the selected event alone. */
export function effectiveSteps(custom: readonly string[] | undefined, eventId: string | null): string[] {
  if (custom && custom.length > 0) return [...custom];
  return eventId ? [eventId] : [];
}
