import { useEffect, useState } from 'react';
import type { EraseSummary } from '../../../../shared/contract';
import { formatInt } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

/** Erasing one contact on request, and how long raw webhook bodies are kept. */
export function PrivacyPanel() {
  return (
    <>
      <EraseContact />
      <RawRetention />
    </>
  );
}

const ERASED: [keyof Omit<EraseSummary, 'contactIds'>, string, string][] = [
  ['messages', 'message', 'messages'],
  ['statuses', 'delivery status', 'delivery statuses'],
  ['externalEvents', 'external event', 'external events'],
  ['outgoingMessages', 'outgoing message', 'outgoing messages'],
  ['rawPayloadsDeleted', 'raw webhook body deleted', 'raw webhook bodies deleted'],
  [
    'rawPayloadsRewritten',
    'raw webhook body rewritten without the contact',
    'raw webhook bodies rewritten without the contact',
  ],
  ['quarantine', 'quarantined delivery', 'quarantined deliveries'],
  ['contacts', 'contact record', 'contact records'],
];

function EraseContact() {
  const client = useClient();
  const refresh = useDashboard((s) => s.refresh);
  const [phone, setPhone] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [summary, setSummary] = useState<{ phone: string; result: EraseSummary } | null>(null);
  const [run, action] = useAction();
  return (
    <section className="panel" aria-labelledby="erase-title">
      <h2 id="erase-title">Erase a contact</h2>
      <p className="muted small">
        When a person asks to be forgotten: removes their messages, statuses, external events, raw webhook
        bodies and quarantined deliveries from this workspace. Reports are recomputed without them. This
        cannot be undone.
      </p>
      <p className="muted small">
        A collector keeps its own copy: erase the number there too (<code>insights erase</code> on the
        server), and every desktop connected to it erases the contact at its next sync.
      </p>
      <form
        className="row wrap-row"
        onSubmit={(e) => {
          e.preventDefault();
          setSummary(null);
          setConfirming(true);
        }}
      >
        <label className="field grow">
          <span>Contact phone number</span>
          <input
            value={phone}
            onChange={(e) => {
              setPhone(e.target.value);
              setConfirming(false);
            }}
            placeholder="+49 151 2345678"
            inputMode="tel"
            autoComplete="off"
          />
        </label>
        <button type="submit" className="button align-end" disabled={!phone.trim() || confirming}>
          Erase…
        </button>
      </form>
      {confirming && (
        <div className="notice danger stack" role="alertdialog" aria-labelledby="erase-confirm">
          <p id="erase-confirm">
            Erase everything about <strong>{phone.trim()}</strong> from this workspace? This cannot be undone.
          </p>
          <div className="row">
            <button
              type="button"
              className="button danger"
              disabled={action.busy}
              onClick={() =>
                void run(async () => {
                  const result = await client.api['contacts.erase']({ phone: phone.trim() });
                  setSummary({ phone: phone.trim(), result });
                  setConfirming(false);
                  setPhone('');
                  refresh();
                })
              }
            >
              Erase for good
            </button>
            <button type="button" className="button ghost" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {summary && <EraseResult phone={summary.phone} result={summary.result} />}
      <ErrorLine error={action.error} />
    </section>
  );
}

function EraseResult({ phone, result }: { phone: string; result: EraseSummary }) {
  const erased = ERASED.filter(([k]) => result[k] > 0);
  if (result.contactIds.length === 0 && erased.length === 0)
    return (
      <p className="hint" role="status">
        Nothing was stored about {phone}.
      </p>
    );
  return (
    <div className="stack" role="status" data-testid="erase-summary">
      <p className="small yes">✓ {phone} was erased.</p>
      <ul className="plain-list small">
        {erased.map(([k, one, many]) => (
          <li key={k}>
            {formatInt(result[k])} {result[k] === 1 ? one : many}
          </li>
        ))}
      </ul>
    </div>
  );
}

function RawRetention() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const settings = useLoad(() => client.api['ingest.settings.get']({}), [workspace]);
  const [keepAll, setKeepAll] = useState(true);
  const [days, setDays] = useState('90');
  const [saved, setSaved] = useState<string | null>(null);
  const [run, action] = useAction();
  useEffect(() => {
    if (!settings.data) return;
    setKeepAll(settings.data.rawRetentionDays === null);
    if (settings.data.rawRetentionDays !== null) setDays(String(settings.data.rawRetentionDays));
  }, [settings.data]);
  const n = Number(days);
  const valid = keepAll || (Number.isInteger(n) && n >= 1 && n <= 36500);
  return (
    <section className="panel" aria-labelledby="retention-title">
      <h2 id="retention-title">Raw webhook bodies</h2>
      <p className="muted small">
        Every webhook is kept as received, so reports can be rebuilt. You can drop the bodies after some days;
        conversations, sources and events stay.
      </p>
      <PanelState loading={settings.loading && !settings.data} error={settings.error}>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const r = await client.api['ingest.settings.set']({ rawRetentionDays: keepAll ? null : n });
              setSaved(r.pruned > 0 ? `Saved. ${formatInt(r.pruned)} older bodies were dropped.` : 'Saved.');
              settings.reload();
            });
          }}
        >
          <fieldset className="radio-row">
            <legend className="sr-only">Keep raw bodies</legend>
            <label className="radio">
              <input type="radio" name="retention" checked={keepAll} onChange={() => setKeepAll(true)} />
              Keep forever
            </label>
            <span className="radio">
              <label className="radio">
                <input type="radio" name="retention" checked={!keepAll} onChange={() => setKeepAll(false)} />
                Keep for
              </label>
              <input
                className="days-input"
                type="number"
                min={1}
                max={36500}
                value={days}
                aria-label="Days to keep raw bodies"
                onFocus={() => setKeepAll(false)}
                onChange={(e) => {
                  setDays(e.target.value);
                  setKeepAll(false);
                }}
              />
              days
            </span>
          </fieldset>
          <div className="row">
            <button type="submit" className="button primary" disabled={!valid || action.busy}>
              Save
            </button>
            {saved && (
              <span className="small yes" role="status">
                {saved}
              </span>
            )}
          </div>
        </form>
      </PanelState>
      <ErrorLine error={action.error} />
    </section>
  );
}
