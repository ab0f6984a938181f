import type { Row } from '@tanstack/react-table';
import { useContext, useState } from 'react';
import { KIND_BADGE, type TableRow } from '../../lib/sources';
import { ChevronDown, ChevronRight, MetaIcon, PencilIcon } from '../Icons';
import { DeliveryContext, DeliveryLine } from '../TemplateDelivery';

/** The Source cell: expand toggle, Meta icon, the name (opens the drill-down) or its inline rename field. */
export function NameCell({
  row,
  renaming,
  onStartRename,
  onRename,
  onCancel,
  onOpen,
}: {
  row: Row<TableRow>;
  renaming: boolean;
  onStartRename: (() => void) | undefined;
  onRename: (name: string) => Promise<void>;
  onCancel: () => void;
  onOpen: ((row: TableRow) => void) | undefined;
}) {
  const r = row.original;
  const [draft, setDraft] = useState(r.name);
  const badge = KIND_BADGE[r.kind];
  const canOpen = onOpen && r.kind !== 'group' && r.source !== null;
  const delivery = useContext(DeliveryContext)?.get(r.id);
  return (
    <div
      className={`name-cell ${delivery?.sent ? 'has-delivery' : ''}`}
      style={{ paddingLeft: row.depth * 20 }}
    >
      {row.getCanExpand() ? (
        <button
          type="button"
          className="icon-button small"
          aria-label={`${row.getIsExpanded() ? 'Collapse' : 'Expand'} ${r.name}`}
          aria-expanded={row.getIsExpanded()}
          onClick={row.getToggleExpandedHandler()}
        >
          {row.getIsExpanded() ? <ChevronDown /> : <ChevronRight />}
        </button>
      ) : null}
      {r.kind === 'meta_ad' || r.kind === 'meta_post' ? (
        <span className="meta-icon" role="img" aria-label="Click-to-WhatsApp ad" title="Click-to-WhatsApp ad">
          <MetaIcon />
        </span>
      ) : null}
      {renaming ? (
        <input
          className="rename-input"
          value={draft}
          autoFocus
          aria-label={`New name for ${r.name}`}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={onCancel}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              const name = draft.trim();
              if (name && name !== r.name) void onRename(name);
              else onCancel();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              setDraft(r.name);
              onCancel();
            }
          }}
          data-testid="rename-input"
        />
      ) : canOpen ? (
        <button type="button" className="link-button source-name" title={r.id} onClick={() => onOpen(r)}>
          {r.name}
        </button>
      ) : (
        <span className="source-name" title={r.kind === 'group' ? undefined : r.id}>
          {r.name}
        </span>
      )}
      {r.kind === 'group' && <span className="kind-badge">{r.groupLabel}</span>}
      {badge && !renaming && <span className={`kind-badge kind-${r.kind}`}>{badge}</span>}
      {r.conversations === 0 && r.invested !== null && (
        <span className="kind-badge warn">spent, no conversations</span>
      )}
      {onStartRename && !renaming && (
        <button
          type="button"
          className="icon-button small reveal"
          aria-label={`Rename ${r.name}`}
          onClick={() => {
            setDraft(r.name);
            onStartRename();
          }}
          data-testid="rename-button"
        >
          <PencilIcon />
        </button>
      )}
      {r.kind === 'outgoing' && <DeliveryLine d={delivery} />}
    </div>
  );
}
