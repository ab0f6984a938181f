import type { SourceRow } from '../../../shared/contract';

const TAGS = {
  meta: { text: 'synced', title: 'Synced from Meta' },
  manual: { text: 'manual', title: 'Entered by hand' },
  imported: { text: 'imported', title: 'Imported from a spend file (Settings → Import)' },
  mixed: { text: 'edited', title: 'Synced or imported spend, partly overridden by hand' },
} as const;

/** Where an Invested figure comes from, next to the amount. */
export function InvestedTag({ from }: { from: SourceRow['investedFrom'] }) {
  if (from === null) return null;
  const tag = TAGS[from];
  return (
    <span className={`synced-tag tag-${from}`} title={tag.title} data-testid="invested-tag">
      {tag.text}
    </span>
  );
}
