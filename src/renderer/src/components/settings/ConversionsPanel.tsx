import { useEffect, useState } from 'react';
import type { ConversionSettings, MetaStatus } from '../../../../shared/contract';
import { refusedPairs, senderText } from '../../lib/conversions';
import { formatDateTime } from '../../lib/format';
import { useClient, useDashboard } from '../../state/context';
import { DatasetsView } from './ConversionDatasets';
import { ConversionMappings } from './ConversionMappings';
import { SendView } from './ConversionSend';
import { ConversionsStatus, lastSendEnd } from './ConversionsStatus';
import { ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

/** Settings → Conversions to Meta: the settings panel and the outbox status, which a send refreshes. */
export function ConversionsSection({ onOpenMeta }: { onOpenMeta: () => void }) {
  const [sends, setSends] = useState(0);
  return (
    <>
      <ConversionsPanel refreshKey={sends} onSent={() => setSends((n) => n + 1)} onOpenMeta={onOpenMeta} />
      <ConversionsStatus refreshKey={sends} onOpenMeta={onOpenMeta} />
    </>
  );
}

/**
 * Which conversion events go to Meta's Conversions API for Business Messaging under which Meta event name,
 * the dataset of each WhatsApp Business Account, the test event code, and sending on/off.
 * https://developers.facebook.com/docs/marketing-api/conversions-api/business-messaging/
 */
export function ConversionsPanel({
  refreshKey,
  onSent,
  onOpenMeta,
}: {
  refreshKey: number;
  onSent: () => void;
  onOpenMeta: () => void;
}) {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const sendEnded = useDashboard(lastSendEnd);
  const loaded = useLoad(() => client.api['conversions.settings']({}), [workspace]);
  const meta = useLoad(() => client.api['meta.status']({}), [workspace]);
  // Entries Meta refused flag the mapping whose Meta name it does not accept (a send changes them).
  const rejected = useLoad(
    () => client.api['conversions.list']({ state: 'rejected', limit: 500 }),
    [workspace, refreshKey, sendEnded],
  );
  const [settings, setSettings] = useState<ConversionSettings | null>(null);
  const [queuedFrom, setQueuedFrom] = useState<string | null>(null);
  const [run, action] = useAction();
  useEffect(() => setSettings(loaded.data), [loaded.data]);
  const s = settings;
  // Every write answers the whole settings: the screen shows what the core stored.
  const update: (fn: () => Promise<ConversionSettings>) => Promise<boolean> = (fn) =>
    run(async () => setSettings(await fn()));

  return (
    <section className="panel" aria-labelledby="conversions-title" data-testid="conversions-panel">
      <h2 id="conversions-title">Conversions to Meta</h2>
      <p className="muted small">
        Tell Meta which Click-to-WhatsApp conversations became leads or purchases, so Ads Manager shows them
        and campaigns can optimise for them. Only conversations that started from an ad click are sent, each
        conversion once.
      </p>
      <PanelState loading={loaded.loading && !s} error={loaded.error}>
        {s && (
          <div className="stack">
            <label className="row switch-row">
              <input
                type="checkbox"
                role="switch"
                checked={s.enabled}
                aria-checked={s.enabled}
                aria-describedby="conversions-switch-hint"
                disabled={action.busy}
                onChange={(e) => {
                  const enabled = e.target.checked;
                  const first = enabled && s.sendFrom === null;
                  void update(async () => {
                    const next = await client.api['conversions.configure']({ enabled });
                    setQueuedFrom(first ? next.sendFrom : null);
                    return next;
                  });
                }}
              />
              <strong>Send conversions to Meta</strong>
            </label>
            <p className="hint" id="conversions-switch-hint">
              {s.enabled
                ? `On: conversions since ${s.sendFrom ? formatDateTime(s.sendFrom) : 'now'} are sent (from 7 days before it was first turned on), new ones as they happen.`
                : s.sendFrom === null
                  ? 'Turning it on queues the conversions of the last 7 days, then sends new ones as they happen.'
                  : 'Off: nothing is sent. Turning it on again sends what was queued since it was first turned on, up to 7 days old.'}
            </p>
            {queuedFrom && s.enabled && (
              <p className="notice" role="status" data-testid="conversions-backfill">
                Sending is on. The conversions of the last 7 days (since {formatDateTime(queuedFrom)}) are
                queued and sent next.
              </p>
            )}
            {meta.data && <MetaLoginNotice status={meta.data} onOpenMeta={onOpenMeta} />}
            <SenderLine sender={s.sender} />
            <DatasetsView datasets={s.datasets} onChange={loaded.reload} />
            <ConversionMappings
              settings={s}
              refused={refusedPairs(rejected.data?.entries ?? [])}
              update={update}
              busy={action.busy}
            />
            <TestCodeForm current={s.testEventCode} update={update} />
            <ErrorLine error={action.error} />
            <SendView
              testEventCode={s.testEventCode}
              blocked={
                s.sender.kind === 'collector'
                  ? 'The collector sends: this installation never sends them too.'
                  : s.enabled
                    ? null
                    : 'Turn sending on to send; a dry run works either way.'
              }
              onSent={onSent}
            />
          </div>
        )}
      </PanelState>
    </section>
  );
}

/** The permission Meta asks for datasets and events of business messaging (docs/conversions-api.md). */
const EVENTS_PERMISSION = 'whatsapp_business_manage_events';

/** Datasets and sending need the Meta login, with the events permission when Meta lists the grants. */
function MetaLoginNotice({ status, onOpenMeta }: { status: MetaStatus; onOpenMeta: () => void }) {
  if (status.method === 'demo')
    return (
      <p className="notice" role="note" data-testid="conversions-meta-login">
        The demo workspace never sends to Meta: map events and use the dry run to see what would be sent.
      </p>
    );
  const text = !status.connected
    ? 'Meta is not connected: finding datasets and sending need its login.'
    : status.permissions.length > 0 && !status.permissions.includes(EVENTS_PERMISSION)
      ? `The Meta login lacks the permission ${EVENTS_PERMISSION}: Meta refuses datasets and events without it. Connect again and grant it.`
      : null;
  if (!text) return null;
  return (
    <div className="notice warn row between" role="note" data-testid="conversions-meta-login">
      <span>{text}</span>
      <button type="button" className="button small" onClick={onOpenMeta}>
        Open Meta ads
      </button>
    </div>
  );
}

function SenderLine({ sender }: { sender: ConversionSettings['sender'] }) {
  const { text, warn } = senderText(sender);
  return (
    <div className="stack" data-testid="conversions-sender">
      <p className="small">
        <strong>Sender:</strong> {text}
      </p>
      {sender.kind === 'collector' && (
        <p className="hint" data-testid="conversions-collector-hint">
          The collector uses its own mapping, datasets and Meta login: set them up on the collector with{' '}
          <code>insights conversions map</code>, <code>dataset</code> and <code>enable</code>{' '}
          (docs/conversions-api.md). What it sent shows below after each sync; the settings here apply when
          this installation sends.
        </p>
      )}
      {warn && (
        <p className="notice warn" role="note">
          Meta accepts a conversion only within 7 days. While this app stays closed nothing is sent, and
          conversions older than 7 days expire unsent. A collector (
          <code className="nowrap">insights serve</code> on a server, Settings → Collector) sends around the
          clock.
        </p>
      )}
    </div>
  );
}

function TestCodeForm({
  current,
  update,
}: {
  current: string | null;
  update: (fn: () => Promise<ConversionSettings>) => Promise<boolean>;
}) {
  const client = useClient();
  const [code, setCode] = useState(current ?? '');
  useEffect(() => setCode(current ?? ''), [current]);
  const save = (testEventCode: string | null) =>
    void update(() => client.api['conversions.configure']({ testEventCode }));
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        save(code.trim() || null);
      }}
    >
      <div className="row">
        <label className="field grow">
          <span>Test event code (Events Manager → Test events)</span>
          <input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            placeholder="e.g. TEST12345"
            autoComplete="off"
            aria-describedby="test-code-hint"
          />
        </label>
        <button type="submit" className="button align-end" disabled={code.trim() === (current ?? '')}>
          {code.trim() === '' && current ? 'Clear code' : 'Save code'}
        </button>
      </div>
      <p className="hint" id="test-code-hint">
        {current
          ? `Events go to Meta's Test Events tool (code ${current}), not to your ads' results. Clear the code to send for real.`
          : 'Optional: with a code, events show in Test Events and do not count for your ads.'}
      </p>
    </form>
  );
}
