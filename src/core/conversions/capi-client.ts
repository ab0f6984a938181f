import type { GraphClient } from '../meta/graph-client';

// Meta's Conversions API for Business Messaging, over the Graph client (token in a header, usage pacing):
// https://developers.facebook.com/docs/marketing-api/conversions-api/business-messaging/ — a dataset per
// WhatsApp Business Account (`<WABA_ID>/dataset`), events posted to `<DATASET_ID>/events`.

/** What one event looks like on the wire ("Send events" in the guide above). */
export interface CapiEvent {
  event_name: string;
  event_time: number;
  event_id: string;
  action_source: 'business_messaging';
  messaging_channel: 'whatsapp';
  user_data: { whatsapp_business_account_id: string; ctwa_clid: string };
  custom_data?: { currency: string; value: number };
}

export interface EventsBody {
  data: CapiEvent[];
  test_event_code?: string;
  partner_agent: string;
}

export interface EventsAnswer {
  events_received?: number;
  messages?: unknown[];
  fbtrace_id?: string;
}

/** Names this app in Meta's partner reporting (the guide's optional `partner_agent`). */
export const PARTNER_AGENT = 'insights-desktop';

export const eventsPath = (datasetId: string) => `${datasetId}/events`;

/** The WABA's dataset: GET returns it when one exists; POST creates one (or returns the existing one). */
export async function findDataset(
  client: GraphClient,
  wabaId: string,
  create: boolean,
): Promise<string | null> {
  const path = `${wabaId}/dataset`;
  const found = await client.get<{ id?: string | number; data?: { id?: string | number }[] }>(path);
  const id = found.id ?? found.data?.[0]?.id;
  if (id !== undefined && String(id) !== '') return String(id);
  if (!create) return null;
  const made = await client.post<{ id?: string | number }>(path);
  return made.id === undefined ? null : String(made.id);
}

export function postEvents(client: GraphClient, datasetId: string, body: EventsBody): Promise<EventsAnswer> {
  return client.postJson<EventsAnswer>(eventsPath(datasetId), body);
}
