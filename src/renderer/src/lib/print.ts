import { Chart } from 'chart.js';

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
