import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

interface Props {
  /** Renders the trigger; spread the props onto a <button>. */
  trigger: (props: {
    onClick: () => void;
    'aria-expanded': boolean;
    'aria-controls': string;
    ref: React.Ref<HTMLButtonElement>;
  }) => ReactNode;
  children: (close: () => void) => ReactNode;
  align?: 'start' | 'end';
  label: string;
  className?: string;
}

/** A dialog-like panel under its trigger: Esc or a click outside closes it and focus goes back to the trigger. */
export function Popover({ trigger, children, align = 'start', label, className }: Props) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const triggerRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  const close = () => {
    setOpen(false);
    triggerRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!panelRef.current?.contains(t) && !triggerRef.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    // Focus the first field of the panel so keyboard users land inside it.
    const first = panelRef.current?.querySelector<HTMLElement>('input, button, select, [tabindex="0"]');
    first?.focus();
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  return (
    <div className={`popover-anchor ${className ?? ''}`}>
      {trigger({
        onClick: () => setOpen((o) => !o),
        'aria-expanded': open,
        'aria-controls': id,
        ref: triggerRef,
      })}
      {open && (
        <div
          ref={panelRef}
          id={id}
          role="dialog"
          aria-label={label}
          className={`popover popover-${align}`}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
        >
          {children(close)}
        </div>
      )}
    </div>
  );
}
