import { useContactsDownload } from '../state/contacts-download';
import { useDashboard } from '../state/context';
import { ChevronDown, DownloadIcon } from './Icons';
import { Popover } from './Popover';

/** "Download contacts" in the dashboard's toolbar: the selected event's leads, or every contact of the range. */
export function ContactsMenu() {
  const report = useDashboard((s) => s.report);
  const download = useContactsDownload();
  const empty = !report || report.totals.conversations === 0;
  return (
    <Popover
      label="Download contacts"
      align="end"
      className="no-print"
      trigger={(t) => (
        <button type="button" className="button ghost" disabled={empty} data-testid="contacts-menu" {...t}>
          <DownloadIcon /> Download contacts <ChevronDown width={14} height={14} />
        </button>
      )}
    >
      {(close) => (
        <div className="stack menu-list">
          <button
            type="button"
            className="button ghost"
            disabled={!report?.event || report.totals.leads === 0}
            data-testid="contacts-leads"
            onClick={() => {
              close();
              void download(null, false);
            }}
          >
            Leads{report?.event ? ` — ${report.event.label}` : ''}
          </button>
          <button
            type="button"
            className="button ghost"
            data-testid="contacts-all"
            onClick={() => {
              close();
              void download(null, true);
            }}
          >
            All contacts of the range
          </button>
          <p className="hint small">
            CSV: phone (+E.164), name, source, campaign, event, revenue and currency.
          </p>
        </div>
      )}
    </Popover>
  );
}
