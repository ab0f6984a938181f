import { useState } from 'react';
import { errorText } from '../../lib/errors';
import { useClient, useDashboard } from '../../state/context';
import { BackIcon } from '../Icons';
import { AttributionPanel } from './AttributionPanel';
import { ChannelsPanel } from './ChannelsPanel';
import { CollectorPanel } from './CollectorPanel';
import { ConversionsSection } from './ConversionsPanel';
import { ExternalEventsPanel } from './ExternalEventsPanel';
import { ImportPanel } from './ImportPanel';
import { KeywordsPanel } from './KeywordsPanel';
import { MetaPanel } from './MetaPanel';
import { MetaSettingsPanel } from './MetaSettingsPanel';
import { PrivacyPanel } from './PrivacyPanel';
import { QuarantinePanel } from './QuarantinePanel';
import { SpendImportPanel } from './SpendImportPanel';
import { TemplatesPanel } from './TemplatesPanel';
import { UnattributedPanel } from './UnattributedPanel';

const SECTIONS = [
  { id: 'channels', label: 'Channels' },
  { id: 'templates', label: 'Templates' },
  { id: 'import', label: 'Import' },
  { id: 'events', label: 'External events' },
  { id: 'keywords', label: 'Keywords' },
  { id: 'meta', label: 'Meta ads' },
  { id: 'conversions', label: 'Conversions to Meta' },
  { id: 'collector', label: 'Collector' },
  { id: 'attribution', label: 'Attribution' },
  { id: 'quarantine', label: 'Quarantine' },
  { id: 'unattributed', label: 'Unattributed events' },
  { id: 'privacy', label: 'Privacy' },
  { id: 'general', label: 'General' },
] as const;
type SectionId = (typeof SECTIONS)[number]['id'];

export function Settings() {
  const setView = useDashboard((s) => s.setView);
  const wanted = useDashboard((s) => s.settingsSection);
  const [section, setSection] = useState<SectionId>(SECTIONS.find((s) => s.id === wanted)?.id ?? 'channels');
  return (
    <div className="settings" data-testid="settings">
      <div className="dash-head">
        <div className="row">
          <button
            type="button"
            className="icon-button"
            aria-label="Back to the dashboard"
            onClick={() => setView('dashboard')}
          >
            <BackIcon />
          </button>
          <h1 className="dash-title">Settings</h1>
        </div>
      </div>
      <div className="settings-layout">
        <nav className="settings-nav" aria-label="Settings sections">
          {SECTIONS.map((s) => (
            <button
              key={s.id}
              type="button"
              className={section === s.id ? 'on' : ''}
              aria-current={section === s.id ? 'page' : undefined}
              onClick={() => setSection(s.id)}
            >
              {s.label}
            </button>
          ))}
        </nav>
        <div className="settings-body" data-testid={`settings-${section}`}>
          {section === 'channels' && <ChannelsPanel />}
          {section === 'import' && (
            <>
              <ImportPanel />
              <SpendImportPanel />
            </>
          )}
          {section === 'events' && <ExternalEventsPanel />}
          {section === 'keywords' && <KeywordsPanel />}
          {section === 'meta' && (
            <>
              <MetaPanel />
              <MetaSettingsPanel />
            </>
          )}
          {section === 'conversions' && <ConversionsSection onOpenMeta={() => setSection('meta')} />}
          {section === 'collector' && <CollectorPanel />}
          {section === 'attribution' && <AttributionPanel />}
          {section === 'templates' && <TemplatesPanel />}
          {section === 'quarantine' && (
            <QuarantinePanel onOpenUnattributed={() => setSection('unattributed')} />
          )}
          {section === 'unattributed' && <UnattributedPanel />}
          {section === 'privacy' && <PrivacyPanel />}
          {section === 'general' && <GeneralPanel />}
        </div>
      </div>
    </div>
  );
}

function GeneralPanel() {
  const client = useClient();
  const info = useDashboard((s) => s.info);
  const theme = useDashboard((s) => s.theme);
  const setTheme = useDashboard((s) => s.setTheme);
  const workspaces = useDashboard((s) => s.workspaces);
  const setWorkspace = useDashboard((s) => s.setWorkspace);
  const reload = useDashboard((s) => s.reload);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <section className="panel" aria-labelledby="appearance-title">
        <h2 id="appearance-title">Appearance</h2>
        <fieldset className="radio-row">
          <legend className="sr-only">Theme</legend>
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className="radio">
              <input type="radio" name="theme" value={t} checked={theme === t} onChange={() => setTheme(t)} />
              {t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </fieldset>
      </section>

      <section className="panel" aria-labelledby="workspaces-title">
        <h2 id="workspaces-title">Workspaces</h2>
        <p className="muted small">Each workspace keeps its own numbers, data and settings.</p>
        <ul className="plain-list">
          {workspaces.map((w) => (
            <li key={w.name} className="row between">
              <span>
                {w.name} {w.isDemo && <span className="kind-badge">demo</span>}
              </span>
              <button type="button" className="button ghost small" onClick={() => void setWorkspace(w.name)}>
                Open
              </button>
            </li>
          ))}
        </ul>
        <form
          className="row"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const ws = await client.api['workspaces.create']({ name });
              setName('');
              setError(null);
              reload();
              await setWorkspace(ws.name);
            } catch (err) {
              setError(errorText(err));
            }
          }}
        >
          <label className="field grow">
            <span>New workspace</span>
            <input
              value={name}
              onChange={(e) => setName(e.target.value.toLowerCase())}
              placeholder="client-name"
            />
          </label>
          <button type="submit" className="button" disabled={!name}>
            Create
          </button>
        </form>
        {error && <p className="hint error-text">{error}</p>}
      </section>

      {info && (
        <section className="panel" aria-labelledby="about-title">
          <h2 id="about-title">About</h2>
          <dl className="kv">
            <dt>Version</dt>
            <dd>{info.version}</dd>
            <dt>Mode</dt>
            <dd>{info.mode === 'electron' ? 'Desktop app' : 'Browser'}</dd>
            <dt>Data folder</dt>
            <dd>
              <code>{info.dataDir}</code>
            </dd>
            <dt>Secrets</dt>
            <dd>{info.secretBackend}</dd>
          </dl>
          {info.secretWarning && <p className="notice danger">{info.secretWarning}</p>}
        </section>
      )}
    </>
  );
}
