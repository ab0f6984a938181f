import type { AttributionModel } from '../../../shared/contract';
import { useDashboard } from '../state/context';

// Plain words for the models (docs/metrics.md "Attribution models"); the title says what each one credits.
export const MODEL_LABEL: Record<AttributionModel, { label: string; help: string }> = {
  conversation: {
    label: 'Conversation',
    help: 'Each conversation counts under the source that started it.',
  },
  first_touch: {
    label: 'First touch',
    help: "Each conversation counts under the source of the contact's first conversation within the lookback.",
  },
  last_paid_touch: {
    label: 'Last paid touch',
    help: 'Each conversation counts under the latest ad, keyword or template that brought the contact within the lookback.',
  },
};

/** Which source each conversation counts under: beside the event picker, remembered per number. */
export function ModelSelect() {
  const model = useDashboard((s) => s.model);
  const setModel = useDashboard((s) => s.setModel);
  const phoneId = useDashboard((s) => s.phoneId);
  return (
    <label className="field-inline model-field" title={MODEL_LABEL[model].help}>
      <span className="muted">Attribution</span>
      <select
        className="select"
        value={model}
        disabled={!phoneId}
        onChange={(e) => setModel(e.target.value as AttributionModel)}
        aria-describedby="model-help"
        data-testid="model-select"
      >
        {(Object.keys(MODEL_LABEL) as AttributionModel[]).map((m) => (
          <option key={m} value={m}>
            {MODEL_LABEL[m].label}
          </option>
        ))}
      </select>
      <span id="model-help" className="sr-only">
        {MODEL_LABEL[model].help}
      </span>
    </label>
  );
}
