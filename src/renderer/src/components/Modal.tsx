import { type ReactNode, useEffect, useRef } from 'react';
import { focusables, trapTab } from '../lib/focus';

/** A centred dialog; focus moves into it, stays inside (Tab wraps), and returns to where it came from on close. */
export function Modal({
  label,
  onClose,
  children,
}: {
  label: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    if (ref.current) focusables(ref.current)[0]?.focus();
    return () => back?.focus?.();
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop is a mouse shortcut; Esc and Cancel do the same
    <div
      className="modal-backdrop"
      role="presentation"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={ref}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={label}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          } else if (ref.current) trapTab(ref.current, e);
        }}
      >
        {children}
      </div>
    </div>
  );
}
