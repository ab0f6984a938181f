import { useEffect, useState } from 'react';
import type { SettingKey } from '../../../../shared/contract';
import { errorText } from '../../lib/errors';
import { useClient, useDashboard } from '../../state/context';
import { ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

const FIELDS: { key: SettingKey; label: string; help: string; type: 'number' | 'text'; min?: number }[] = [
  {
    key: 'conversationWindowHours',
    label: 'Conversation window (hours)',
    help: 'A message after this much silence starts a new conversation.',
    type: 'number',
    min: 1,
  },
  {
    key: 'attributionWindowDays',
    label: 'Attribution window (days)',
    help: 'How long after a conversation starts an external event still counts for it.',
    type: 'number',
    min: 1,
  },
  {
    key: 'attributionLookbackDays',
    label: 'Attribution lookback (days)',
    help: 'First touch and last paid touch credit an earlier conversation of the contact up to this many days back.',
    type: 'number',
    min: 1,
  },
  {
    key: 'currency',
    label: 'Workspace currency',
    help: 'Money in other currencies is shown apart, never summed in.',
    type: 'text',
  },
  {
    key: 'rollupThreshold',
    label: 'Rollup threshold',
    help: 'First messages with fewer conversations fold into “Other first messages”.',
    type: 'number',
    min: 1,
  },
  {
    key: 'timezone',
    label: 'Report timezone',
    help: 'IANA zone, e.g. Europe/Berlin: days and ranges are counted in it.',
    type: 'text',
  },
];

export function AttributionPanel() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const refresh = useDashboard((s) => s.refresh);
  const settings = useLoad(() => client.api['settings.get']({}), [workspace]);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [run, action] = useAction();
  // The field a rejected value came from: its message shows under it and goes once the field is edited.
  const [fieldError, setFieldError] = useState<{ key: SettingKey; text: string } | null>(null);
  useEffect(() => {
    if (settings.data)
      setDraft(Object.fromEntries(FIELDS.map((f) => [f.key, String(settings.data?.[f.key] ?? '')])));
  }, [settings.data]);

  const changed = FIELDS.filter((f) => settings.data && draft[f.key] !== String(settings.data[f.key]));
  return (
    <section className="panel" aria-labelledby="attribution-title">
      <h2 id="attribution-title">Attribution</h2>
      <PanelState loading={settings.loading && !settings.data} error={settings.error}>
        {settings.data?.rebuildPending && (
          <p className="notice">
            Re-deriving with the new settings… the dashboard shows the previous result until it is done.
          </p>
        )}
        <form
          className="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            setFieldError(null);
            const ok = await run(async () => {
              for (const f of changed) {
                const raw = (draft[f.key] ?? '').trim();
                try {
                  await client.api['settings.set']({
                    key: f.key,
                    value: f.type === 'number' ? Number(raw) : f.key === 'currency' ? raw.toUpperCase() : raw,
                  });
                } catch (err) {
                  setFieldError({ key: f.key, text: errorText(err) });
                  throw err;
                }
              }
            });
            if (ok) {
              settings.reload();
              refresh();
            }
          }}
        >
          <div className="settings-grid">
            {FIELDS.map((f) => (
              <label key={f.key} className="field">
                <span>{f.label}</span>
                <input
                  type={f.type}
                  min={f.min}
                  value={draft[f.key] ?? ''}
                  onChange={(e) => {
                    setDraft({ ...draft, [f.key]: e.target.value });
                    if (fieldError?.key === f.key) {
                      setFieldError(null);
                      action.clear();
                    }
                  }}
                  aria-invalid={fieldError?.key === f.key || undefined}
                  aria-describedby={fieldError?.key === f.key ? `setting-${f.key}-error` : undefined}
                  data-testid={`setting-${f.key}`}
                />
                {fieldError?.key === f.key ? (
                  <span className="hint error-text" role="alert" id={`setting-${f.key}-error`}>
                    {fieldError.text}
                  </span>
                ) : (
                  <span className="hint">{f.help}</span>
                )}
              </label>
            ))}
          </div>
          <div className="row end">
            <button type="submit" className="button primary" disabled={changed.length === 0 || action.busy}>
              {action.busy ? 'Applying…' : 'Save'}
            </button>
          </div>
          <ErrorLine error={fieldError ? null : action.error} />
        </form>
      </PanelState>
    </section>
  );
}
