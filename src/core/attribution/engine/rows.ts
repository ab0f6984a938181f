// The rows the derivation engine reads and writes, shared with the report, drill-down and "See why".

export interface ConvRow {
  id: number;
  phone: string;
  contact: string;
  start_ts: number;
  first_message_id: string;
  last_ts: number;
  last_message_id: string;
  messages: number;
  source: number;
  day: number;
  prev_day: number;
  prev_src_day: number;
  /** Its source in the first_touch and last_paid_touch models, and their prev_src_day (engine/touches.ts). */
  ft_source: number;
  ft_prev_day: number;
  lpt_source: number;
  lpt_prev_day: number;
}

/** An external event as attribution reads it (also the unattributed-events list). */
export interface ExternalRow {
  id: string;
  event_id: string | null;
  action: string;
  contact_id: string;
  ts: number;
  revenue_amount: number | null;
  revenue_currency: string | null;
  app_id: string | null;
  previous_external_event_id: string | null;
}

export const EXTERNAL_COLUMNS =
  'id, event_id, action, contact_id, ts, revenue_amount, revenue_currency, app_id, previous_external_event_id';

/** Revenue is kept in millionths so that sums do not depend on the order rows were added. */
export const MICRO = 1_000_000;
