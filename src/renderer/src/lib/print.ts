import { Chart } from 'chart.js';
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

/**
 * Charts redraw at the paper's width when the page prints (window.print in the browser, printToPDF in
 * Electron): the print layout changes their box without a window resize, so Chart.js would otherwise
 * squeeze the screen's bitmap. Chart.js, "Responsive Charts", "Printing Resizable Charts":
 * https://www.chartjs.org/docs/latest/configuration/responsive.html#printing-resizable-charts
 */
export function redrawChartsForPrint(): void {
  const resizeAll = () => {
    for (const chart of Object.values(Chart.instances)) chart.resize();
  };
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
  window.matchMedia('print').addEventListener('change', resizeAll);
}

/**
 * Whether the page is being printed (window.print, Electron's printToPDF, a headless page's PDF): the print
 * media query matches then, and `beforeprint` comes first where there is a print dialog
 * (https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#printing). The state changes inside
 * flushSync, so the DOM is printed as it is rendered for print, not as the screen had it
 * (https://react.dev/reference/react-dom/flushSync).
 */
export function usePrinting(): boolean {
  const [printing, setPrinting] = useState(() => window.matchMedia?.('print').matches ?? false);
  useEffect(() => {
    const query = window.matchMedia?.('print');
    const set = (on: boolean) => () => flushSync(() => setPrinting(on));
    const on = set(true);
    const off = set(false);
    const change = () => flushSync(() => setPrinting(query?.matches ?? false));
    window.addEventListener('beforeprint', on);
    window.addEventListener('afterprint', off);
    query?.addEventListener('change', change);
    return () => {
      window.removeEventListener('beforeprint', on);
      window.removeEventListener('afterprint', off);
      query?.removeEventListener('change', change);
    };
  }, []);
  return printing;
}
