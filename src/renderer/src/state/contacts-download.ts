import { csvFileName } from '../../../shared/table-csv';
import { selectedPhone } from '../lib/all-numbers';
import { errorText } from '../lib/errors';
import { saveCsv } from '../lib/exports';
import { toRangeInput } from '../lib/range';
import { useClient, useDashboard } from './context';
import { useDownloadStatus } from './download';
import { zoneArg } from './store';

/**
 * Contacts CSV from the core (the same file as `insights contacts`), saved or downloaded: the leads of the
 * selected event, or (`all`) every conversation of the range; optionally of one source.
 */
export function useContactsDownload() {
  const client = useClient();
  const phoneId = useDashboard((s) => s.phoneId);
  const phone = useDashboard((s) => selectedPhone(s.phones, s.phoneId));
  const range = useDashboard((s) => s.range);
  const timezone = useDashboard((s) => s.timezone);
  const report = useDashboard((s) => s.report);
  const [status, setStatus] = useDownloadStatus();
  const run = async (sourceId: string | null, all: boolean) => {
    if (!phoneId) return;
    setStatus({ busy: true, error: null });
    try {
      const r = await client.api['contacts.export']({
        phone: phoneId,
        range: toRangeInput(range),
        ...zoneArg(timezone),
        ...(report?.event ? { event: report.event.id } : {}),
        ...(sourceId ? { source: sourceId } : {}),
        // One source's file holds what its row and drill-down count in the report's attribution model.
        ...(sourceId && report?.model && report.model !== 'conversation' ? { model: report.model } : {}),
        ...(all ? { all: true } : {}),
      });
      const kind = `${all ? 'contacts' : 'leads'}${sourceId ? `-${sourceId.replace(/[^a-z0-9]+/gi, '_').slice(0, 40)}` : ''}`;
      const name = report
        ? csvFileName(kind, {
            phone: phone?.display ?? phone?.id,
            ...report.range,
            event: all ? null : (report.event?.id ?? null),
          })
        : `insights-${kind}`;
      await saveCsv(`${name}.csv`, r.csv);
      setStatus({ busy: false, error: null });
    } catch (err) {
      setStatus({ busy: false, error: errorText(err) });
    }
  };
  return Object.assign(run, { status });
}
