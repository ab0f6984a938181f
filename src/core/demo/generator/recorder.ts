import type { Random } from '../random';
import type { DemoPhone } from './brand';
import type { Contact, ContactPool } from './contacts';

/** One webhook message or status, before the last step groups them into deliveries. */
export interface Item {
  ts: number;
  phone: DemoPhone;
  kind: 'message' | 'status';
  body: Record<string, unknown>;
  contact?: Contact;
}

export interface DemoSendRecord {
  messageId: string;
  phoneNumberId: string;
  to: string;
  templateName: string;
  sentAt: number;
  buttons: { title: string; id: string }[];
}

export interface DemoExternalEvent {
  eventId: string;
  action: string;
  leadPhone: string;
  timestamp: number;
  revenue?: { amount: number; currency: string };
  appId?: string;
}

/**
 * What the steps produce, in the order they produce it. One counter numbers every message id (and payloads
 * quote it), so the steps append here rather than return lists of their own: the data depends on the order
 * of the calls, as it depends on the order of the random draws.
 */
export class DemoRecorder {
  readonly items: Item[] = [];
  readonly sendLog: DemoSendRecord[] = [];
  readonly externalEvents: DemoExternalEvent[] = [];
  /** Conversations started (first messages and replies to templates). */
  conversations = 0;
  /** Message ids handed out so far. */
  messageCount = 0;

  /** Records a message from the customer; returns its id. */
  inbound(phone: DemoPhone, contact: Contact, ts: number, fields: Record<string, unknown>): string {
    const id = `wamid.DEMO${(++this.messageCount).toString(36).toUpperCase().padStart(8, '0')}`;
    this.items.push({
      ts,
      phone,
      kind: 'message',
      contact,
      body: { from: contact.waId, id, timestamp: String(ts), ...fields },
    });
    return id;
  }

  /** The id of a message the business sends (delivered to the app only as statuses). */
  businessMessageId(): string {
    return `wamid.BIZ${(++this.messageCount).toString(36).toUpperCase()}`;
  }

  status(phone: DemoPhone, ts: number, body: Record<string, unknown>): void {
    this.items.push({ ts, phone, kind: 'status', body });
  }
}

/** What every step reads and writes: the one random sequence, the contacts so far and the recorder. */
export interface Generation {
  rnd: Random;
  contacts: ContactPool;
  recorder: DemoRecorder;
  /** Data ends here (unix seconds): nothing is recorded after it. */
  nowUnix: number;
}
