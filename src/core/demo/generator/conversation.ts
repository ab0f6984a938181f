import type { DateTime } from 'luxon';
import type { Random } from '../random';
import { type DemoPhone, FOLLOW_UPS, LIST_ITEMS } from './brand';
import type { Contact } from './contacts';
import { eventsAfterConversation } from './events';
import type { Generation } from './recorder';

/** When a conversation starts on `day`: a business-hours weighted local time (unix seconds). */
export function startTime(rnd: Random, day: DateTime): number {
  const hour = rnd.weighted([
    [8, 2],
    [9, 4],
    [10, 6],
    [11, 7],
    [12, 8],
    [13, 7],
    [14, 6],
    [15, 6],
    [16, 6],
    [17, 7],
    [18, 8],
    [19, 9],
    [20, 9],
    [21, 7],
    [22, 4],
    [23, 2],
    [0, 1],
    [7, 1],
  ] as const);
  return Math.floor(day.set({ hour, minute: rnd.int(0, 59), second: rnd.int(0, 59) }).toSeconds());
}

/** The rest of a conversation after its first message: questions, conversions, purchases. */
export function continueConversation(
  g: Generation,
  phone: DemoPhone,
  contact: Contact,
  start: number,
  propensity: number,
): void {
  const { rnd, recorder } = g;
  let t = start;
  const followUps = rnd.int(0, 3);
  for (let i = 0; i < followUps; i++) {
    t += rnd.int(20, 900);
    if (rnd.chance(0.12))
      recorder.inbound(phone, contact, t, {
        type: 'image',
        image: { id: `media-${recorder.messageCount}`, mime_type: 'image/jpeg', sha256: 'x' },
      });
    else recorder.inbound(phone, contact, t, { type: 'text', text: { body: rnd.pick(FOLLOW_UPS) } });
  }
  if (rnd.chance(0.05)) {
    recorder.inbound(phone, contact, t + rnd.int(60, 86_400 * 3), {
      type: 'reaction',
      reaction: { message_id: `wamid.BIZ${recorder.messageCount}`, emoji: '❤️' },
    });
  }
  // The business answers with an interactive message (not re-delivered); the customer taps a button.
  if (rnd.chance(0.38 * propensity)) {
    t += rnd.int(60, 3_600);
    recorder.inbound(phone, contact, t, {
      type: 'interactive',
      interactive: {
        type: 'button_reply',
        button_reply: { id: 'book-consult', title: 'Book a consultation' },
      },
      context: { from: phone.digits, id: `wamid.BIZ${recorder.messageCount}` },
    });
  }
  if (rnd.chance(0.3 * propensity)) {
    t += rnd.int(60, 7_200);
    const item = rnd.weighted([
      [LIST_ITEMS[0]!, 3],
      [LIST_ITEMS[1]!, 5],
      [LIST_ITEMS[2]!, 2],
    ] as const);
    recorder.inbound(phone, contact, t, {
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: item },
      context: { from: phone.digits, id: `wamid.BIZ${recorder.messageCount}` },
    });
  }
  if (rnd.chance(0.2 * propensity)) {
    t += rnd.int(60, 3_600);
    recorder.inbound(phone, contact, t, {
      type: 'text',
      text: { body: rnd.pick(['Yes', 'yes!', 'YES 🙌', 'Yes please']) },
    });
  }
  eventsAfterConversation(g, phone, contact, start, propensity);
}
