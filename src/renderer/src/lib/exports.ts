// Files leave the app through the native save dialog in Electron and as a download in the browser.

export interface SaveResult {
  saved: boolean;
  path?: string;
}

export async function saveCsv(suggestedName: string, content: string): Promise<SaveResult> {
  if (window.insights) {
    return window.insights.shell.saveFile(suggestedName, content, [{ name: 'CSV', extensions: ['csv'] }]);
  }
  const url = URL.createObjectURL(new Blob([content], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = suggestedName;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start the download asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { saved: true };
}

/** The dashboard as a PDF: printToPDF in Electron, the print dialog (with the print stylesheet) in the browser. */
export async function exportPdf(suggestedName: string): Promise<SaveResult> {
  if (window.insights) return window.insights.shell.printToPdf(suggestedName);
  window.print();
  return { saved: true };
}

/** File names that sort and say what they hold: insights-sources-4915112345-2026-03-01_2026-03-30.csv */
export function exportName(
  kind: string,
  phone: string | null | undefined,
  from?: string,
  to?: string,
): string {
  const digits = (phone ?? '').replace(/\D/g, '') || 'all';
  const range = from && to ? `-${from}_${to}` : '';
  return `insights-${kind}-${digits}${range}`;
}
