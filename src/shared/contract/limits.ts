// Limits of the contract that the renderer needs as plain values (this module imports no zod).

/** A funnel has at most this many steps after "Conversations started". */
export const MAX_FUNNEL_STEPS = 5;

/**
 * Event names Meta lists for business messaging. The first five are accepted in practice; Meta answers
 * the others with error subcode 2804066 for many datasets, which the outbox shows as "name not accepted".
 * https://developers.facebook.com/docs/marketing-api/conversions-api/business-messaging/
 */
export const META_EVENT_NAMES = [
  'Purchase',
  'LeadSubmitted',
  'InitiateCheckout',
  'AddToCart',
  'ViewContent',
  'QualifiedLead',
  'OrderCreated',
  'OrderShipped',
  'OrderDelivered',
  'OrderCanceled',
  'OrderReturned',
  'CartAbandoned',
  'RatingProvided',
  'ReviewProvided',
] as const;
export const ACCEPTED_META_EVENT_NAMES: readonly (typeof META_EVENT_NAMES)[number][] = [
  'Purchase',
  'LeadSubmitted',
  'InitiateCheckout',
  'AddToCart',
  'ViewContent',
];
