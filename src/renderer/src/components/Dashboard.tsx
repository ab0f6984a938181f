import { useEffect, useMemo, useRef } from 'react';
import { isAllNumbers } from '../../../shared/all-numbers';
import { csvFileName } from '../../../shared/table-csv';
import { selectedPhone } from '../lib/all-numbers';
import { SLOW_LOAD_MS, useDelayedFlag } from '../lib/delayed';
import { exportName, exportPdf, saveCsv } from '../lib/exports';
import { formatInt, formatRange } from '../lib/format';
import { markUpdated } from '../lib/perf';
import type { GroupAds, TableRow } from '../lib/sources';
import { useContactsDownload } from '../state/contacts-download';
import { useClient, useDashboard } from '../state/context';
import { allSourcesIn, sourceRowsOf } from '../state/store';
import { CompareSelect } from './CompareSelect';
import { ContactsMenu } from './ContactsMenu';
import { EventPicker } from './EventPicker';
import { Funnel } from './Funnel';
import { DownloadIcon } from './Icons';
import type { InvestInput } from './InvestedEditor';
import { KpiCards } from './KpiCards';
import { SourceTable } from './SourceTable';
import { useTemplateDeliveries } from './TemplateDelivery';
import { phoneLabel } from './TopBar';
import { TrendChart } from './TrendChart';

// Kept here for the drill-down host in App.tsx.
export { useContactsDownload } from '../state/contacts-download';

export function Dashboard({ themeKey }: { themeKey: string }) {
  const client = useClient();
  const report = useDashboard((s) => s.report);
  const sources = useDashboard(sourceRowsOf);
  const complete = useDashboard(allSourcesIn);
  const delivery = useTemplateDeliveries(sources);
  const loading = useDashboard((s) => s.reportLoading);
  const dimmed = useDelayedFlag(loading, SLOW_LOAD_MS);
  const error = useDashboard((s) => s.reportError);
  const phone = useDashboard((s) => selectedPhone(s.phones, s.phoneId));
  const funnel = useDashboard((s) => s.funnel);
  const setView = useDashboard((s) => s.setView);
  const events = useDashboard((s) => s.events);
  const setFunnel = useDashboard((s) => s.setFunnel);
  const tablePrefs = useDashboard((s) => s.prefs.table);
  const savePrefs = useDashboard((s) => s.savePrefs);
  const reload = useDashboard((s) => s.reload);
  const openDrill = useDashboard((s) => s.openDrill);
  const refresh = useDashboard((s) => s.refresh);
  const download = useContactsDownload();
  const investments = useMemo(
    () => ({
      load: (id: string) => client.api['sources.investments']({ id }),
      remove: async (id: number) => {
        await client.api['sources.investmentDelete']({ id });
        refresh();
      },
    }),
    [client, refresh],
  );

  const eventList = useMemo(() => events?.list ?? [], [events]);
  // Stable handlers so the memoised table re-renders only when its data changes, not on every loading flip.
  const latest = useRef<{ download: typeof download; csvName: (kind: string) => string }>({
    download,
    csvName: () => '',
  });
  latest.current = {
    download,
    // Number, range, timezone and event in the table file's name (docs/metrics.md "Exports").
    csvName: (kind: string) =>
      report
        ? csvFileName(kind, {
            phone: phone?.display ?? phone?.id,
            ...report.range,
            event: report.event?.id ?? null,
          })
        : fileBase(kind),
  };
  const tableHandlers = useMemo(
    () => ({
      onSortChange: (sort: { column: string; desc: boolean }) => savePrefs({ table: { sort } }),
      onGroupChange: (groupAds: GroupAds) => savePrefs({ table: { groupAds } }),
      onColumnsChange: (columns: string[]) => savePrefs({ table: { columns } }),
      onOpen: (row: TableRow) => openDrill(row.id, row.name),
      onExportCsv: (csv: string) => void saveCsv(`${latest.current.csvName('sources')}.csv`, csv),
      onRename: async (id: string, name: string) => {
        await client.api['sources.rename']({ id, name });
        refresh();
      },
      onInvest: async ({ sourceId, amount, currency, from, to }: InvestInput) => {
        await client.api['sources.invest']({ id: sourceId, amount, currency, from, to });
        refresh();
      },
      onDownloadContacts: (sourceId: string | null) => void latest.current.download(sourceId, false),
      investments,
    }),
    [client, refresh, savePrefs, openDrill, investments],
  );

  // Runs after the children's effects (chart update included): every panel shows this report now.
  useEffect(() => {
    if (report) markUpdated();
  }, [report]);

  useEffect(() => {
    document.title = phone ? `${phoneLabel(phone)} — Insights` : 'Insights Desktop';
  }, [phone]);

  const phoneText = phone ? phoneLabel(phone) : '';
  // All numbers says how many numbers it adds up (the printed report too).
  const numbersCount = useDashboard((s) => s.phones?.length ?? 0);
  const numbersNote = phone && isAllNumbers(phone.id) ? ` · ${numbersCount} numbers` : '';
  const fileBase = (kind: string) =>
    exportName(kind, phone?.display ?? phone?.id, report?.range.from, report?.range.to);

  return (
    <div className="dashboard" data-testid="dashboard">
      <div className="dash-head">
        <div>
          <h1 className="dash-title">{phoneText || 'Dashboard'}</h1>
          <p className="muted small" data-testid="dash-range">
            {report
              ? `${formatRange(report.range.from, report.range.to)} · ${report.range.timezone.replace(/_/g, ' ')}${numbersNote}`
              : '\u00a0'}
            {loading && report ? (
              <span className="refresh-dot" title="Updating">
                <span className="sr-only">Updating</span>
              </span>
            ) : null}
          </p>
        </div>
        <div className="row">
          <CompareSelect />
          <button
            type="button"
            className="button ghost no-print"
            // The printed table holds every source row: it waits for them.
            disabled={!report || !complete}
            onClick={() => void exportPdf(`${fileBase('report')}.pdf`)}
            data-testid="export-pdf"
          >
            <DownloadIcon /> Export report
          </button>
          <ContactsMenu />
        </div>
      </div>

      {download.status.error && (
        <p className="notice danger" role="alert">
          Could not export the contacts: {download.status.error}
        </p>
      )}
      {error && (
        <div className="notice danger row between" role="alert">
          <span>{report ? `Could not refresh: ${error}` : error}</span>
          <button type="button" className="button small" onClick={reload}>
            Try again
          </button>
        </div>
      )}

      <EventPicker />
      <div className={`panels ${dimmed ? 'is-refreshing' : ''}`} aria-busy={loading}>
        <KpiCards report={report} />
        {report && report.unattributedExternalEvents > 0 && (
          <p className="notice" data-testid="unattributed">
            {report.unattributedExternalEvents === 1
              ? '1 external event in this range could not be matched to a conversation; it is not counted as a lead.'
              : `${formatInt(report.unattributedExternalEvents)} external events in this range could not be matched to a conversation; they are not counted as leads.`}{' '}
            <button type="button" className="link-button" onClick={() => setView('settings', 'unattributed')}>
              See why
            </button>
          </p>
        )}

        <div className="dash-grid">
          <TrendChart report={report} themeKey={themeKey} />
          <Funnel report={report} steps={funnel} events={eventList} onChange={setFunnel} />
        </div>

        <SourceTable
          report={report}
          sources={sources}
          complete={complete}
          error={error}
          sort={tablePrefs?.sort}
          groupAds={tablePrefs?.groupAds}
          columns={tablePrefs?.columns}
          delivery={delivery}
          {...tableHandlers}
        />
      </div>
      <p className="print-only small muted">
        Insights Desktop · {client.workspace} · {phoneText}
      </p>
    </div>
  );
}
