import { useState } from 'react';
import type { ConversionDataset } from '../../../../shared/contract';
import { useClient } from '../../state/context';
import { formatPhone } from '../TopBar';
import { ErrorLine } from './common';
import { useAction } from './useLoad';

/** One dataset per WhatsApp Business Account: Meta finds the existing one or creates it. */
export function DatasetsView({
  datasets,
  onChange,
}: {
  datasets: ConversionDataset[];
  onChange: () => void;
}) {
  return (
    <div className="stack">
      <h3 className="small">Datasets</h3>
      {datasets.length === 0 ? (
        <p className="hint">
          No business number yet: datasets are set up per number once it receives messages.
        </p>
      ) : (
        <table className="data-table compact-table" data-testid="conversions-datasets">
          <thead>
            <tr>
              <th scope="col">Business number</th>
              <th scope="col">WhatsApp Business Account</th>
              <th scope="col">Dataset</th>
              <th scope="col">
                <span className="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => (
              <DatasetRow key={d.phoneNumberId} dataset={d} onChange={onChange} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function DatasetRow({ dataset: d, onChange }: { dataset: ConversionDataset; onChange: () => void }) {
  const client = useClient();
  const [waba, setWaba] = useState('');
  const [run, action] = useAction();
  const number = formatPhone(d.displayNumber, d.phoneNumberId);
  const wabaId = d.wabaId ?? waba.trim();
  const findOrCreate = () =>
    void run(async () => {
      await client.api['conversions.dataset']({
        phoneNumberId: d.phoneNumberId,
        ...(d.wabaId ? {} : { wabaId }),
        create: true,
      });
      onChange();
    });
  return (
    <tr data-testid="conversions-dataset">
      <td>{number}</td>
      <td>
        {d.wabaId ?? (
          <label className="field-inline">
            <span className="sr-only">WhatsApp Business Account id of {number}</span>
            <input
              value={waba}
              onChange={(e) => setWaba(e.target.value)}
              inputMode="numeric"
              placeholder="WABA id (digits)"
              aria-describedby={`waba-hint-${d.phoneNumberId}`}
            />
          </label>
        )}
        {!d.wabaId && (
          <span className="sr-only" id={`waba-hint-${d.phoneNumberId}`}>
            Shown in WhatsApp Manager; needed for on-premise numbers.
          </span>
        )}
        <ErrorLine error={action.error} />
      </td>
      <td>{d.datasetId ? <code>{d.datasetId}</code> : <span className="muted">none yet</span>}</td>
      <td>
        {!d.datasetId && (
          <button
            type="button"
            className="button small"
            disabled={action.busy || !/^\d{5,25}$/.test(wabaId)}
            onClick={findOrCreate}
          >
            {action.busy ? 'Asking Meta…' : 'Find or create dataset'}
          </button>
        )}
      </td>
    </tr>
  );
}
