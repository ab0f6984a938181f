// Keyboard focus helpers for dialogs and drawers.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
}

/**
 * Keeps Tab and Shift+Tab inside `root` (a modal dialog): from the last control Tab goes to the first and
 * the other way round (WAI-ARIA APG, Dialog (Modal) pattern, "Keyboard Interaction",
 * https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/). Returns true when it moved the focus.
 */
export function trapTab(
  root: HTMLElement,
  e: { key: string; shiftKey: boolean; preventDefault(): void },
): boolean {
  if (e.key !== 'Tab') return false;
  const list = focusables(root);
  const first = list[0];
  const last = list[list.length - 1];
  if (!first || !last) {
    e.preventDefault();
    return true;
  }
  const active = document.activeElement;
  const outside = !root.contains(active);
  if (e.shiftKey && (active === first || outside)) {
    e.preventDefault();
    last.focus();
    return true;
  }
  if (!e.shiftKey && (active === last || outside)) {
    e.preventDefault();
    first.focus();
    return true;
  }
  return false;
}
