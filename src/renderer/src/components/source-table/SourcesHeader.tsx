import type { Report } from '../../../../shared/contract';
import { formatInt } from '../../lib/format';
import type { GroupAds } from '../../lib/sources';
import { DownloadIcon, SearchIcon } from '../Icons';

/** The panel's title row: how many sources show, the search, ad grouping and the two downloads. */
export function SourcesHeader({
  report,
  shown,
  query,
  onQueryChange,
  groupAds,
  onGroupChange,
  onExport,
  onDownloadContacts,
}: {
  report: Report | null;
  /** Rows on screen after the search (groups count as rows). */
  shown: number;
  query: string;
  onQueryChange: (query: string) => void;
  /** Null when the report has no ads with campaigns to group by. */
  groupAds: GroupAds | null;
  onGroupChange: (g: GroupAds) => void;
  onExport: (() => void) | undefined;
  onDownloadContacts: ((sourceId: string | null) => void) | undefined;
}) {
  return (
    <header className="panel-head wrap">
      <h2 id="sources-title">Sources</h2>
      <span className="muted small" aria-live="polite">
        {report ? `${formatInt(shown)} of ${formatInt(report.sources.length)}` : ''}
      </span>
      <div className="toolbar">
        <label className="search-field compact">
          <SearchIcon />
          <span className="sr-only">Search sources</span>
          <input
            type="search"
            placeholder="Search sources"
            value={query}
            onChange={(e) => onQueryChange(e.target.value)}
            data-testid="source-search"
          />
        </label>
        {groupAds !== null && (
          <select
            className="select"
            aria-label="Group ads"
            value={groupAds}
            onChange={(e) => onGroupChange(e.target.value as GroupAds)}
          >
            <option value="none">Ads ungrouped</option>
            <option value="campaign">Group by campaign</option>
            <option value="adset">Group by ad set</option>
          </select>
        )}
        {onExport && (
          <button
            type="button"
            className="button ghost"
            disabled={!report}
            onClick={onExport}
            data-testid="export-sources"
          >
            <DownloadIcon /> Export table
          </button>
        )}
        {onDownloadContacts && (
          <button
            type="button"
            className="button ghost"
            disabled={!report || report.totals.conversations === 0}
            onClick={() => onDownloadContacts(null)}
            data-testid="download-contacts-all"
          >
            <DownloadIcon /> Download contacts
          </button>
        )}
      </div>
    </header>
  );
}
