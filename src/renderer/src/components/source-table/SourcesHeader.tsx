import type { Report } from '../../../../shared/contract';
import { formatInt } from '../../lib/format';
import type { GroupAds } from '../../lib/sources';
import { ChevronDown, DownloadIcon, SearchIcon } from '../Icons';
import { MODEL_LABEL } from '../ModelSelect';
import { Popover } from '../Popover';
import { OPTIONAL_COLUMNS } from './columns';

/** The panel's title row: how many sources show, the search, ad grouping and the two downloads. */
export function SourcesHeader({
  report,
  shown,
  total,
  complete,
  query,
  onQueryChange,
  groupAds,
  onGroupChange,
  onExport,
  onDownloadContacts,
  columns,
  onColumnsChange,
}: {
  report: Report | null;
  /** Rows on screen after the search (groups count as rows). */
  shown: number;
  /** Source rows of the report, all of them (also while only the first ones are at hand). */
  total: number;
  /** All rows are at hand: until then the count says the rest is coming and the CSV waits. */
  complete: boolean;
  query: string;
  onQueryChange: (query: string) => void;
  /** Null when the report has no ads with campaigns to group by. */
  groupAds: GroupAds | null;
  onGroupChange: (g: GroupAds) => void;
  onExport: (() => void) | undefined;
  onDownloadContacts: ((sourceId: string | null) => void) | undefined;
  columns: string[];
  onColumnsChange: (columns: string[]) => void;
}) {
  return (
    <header className="panel-head wrap">
      <h2 id="sources-title">
        Sources
        {report?.model && report.model !== 'conversation' && (
          <span className="muted small" data-testid="sources-model">
            {' '}
            · by {MODEL_LABEL[report.model].label.toLowerCase()}
          </span>
        )}
      </h2>
      <span className="muted small" aria-live="polite">
        {report
          ? complete
            ? `${formatInt(shown)} of ${formatInt(total)}`
            : `Loading all ${formatInt(total)}…`
          : ''}
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
        <Popover
          label="Columns"
          align="end"
          trigger={(t) => (
            <button type="button" className="button ghost" data-testid="column-chooser" {...t}>
              Columns{columns.length > 0 ? ` (+${columns.length})` : ''}{' '}
              <ChevronDown width={14} height={14} />
            </button>
          )}
        >
          {() => (
            <fieldset className="stack column-chooser">
              <legend className="small muted">More columns</legend>
              {OPTIONAL_COLUMNS.map((c) => (
                <label key={c.id} className="check-row" title={c.help}>
                  <input
                    type="checkbox"
                    checked={columns.includes(c.id)}
                    onChange={(e) =>
                      onColumnsChange(
                        e.target.checked
                          ? OPTIONAL_COLUMNS.map((x) => x.id).filter(
                              (id) => id === c.id || columns.includes(id),
                            )
                          : columns.filter((id) => id !== c.id),
                      )
                    }
                    data-testid={`column-${c.id}`}
                  />
                  <span>{c.label}</span>
                </label>
              ))}
            </fieldset>
          )}
        </Popover>
        {onExport && (
          <button
            type="button"
            className="button ghost"
            disabled={!report || !complete}
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
