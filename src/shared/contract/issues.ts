import type { z } from 'zod';

// Zod's own messages ("Too big: expected string to have <=200 characters") are for developers. Every
// transport (IPC, HTTP, CLI) rejects bad arguments in CoreHost.call, which words the first issue here.
// Issue shapes: https://zod.dev/error-customization and https://zod.dev/packages/core ("$ZodIssue").

/** Names people know the fields by; other keys are spelled out from camelCase ("phoneNumberId"). */
const LABELS: Record<string, string> = {
  id: 'Id',
  name: 'Name',
  amount: 'Amount',
  currency: 'Currency',
  from: 'Start date',
  to: 'End date',
  phone: 'Phone number',
  phoneNumberId: 'Phone number id',
  channel: 'Channel (phone number id)',
  apiKey: 'API key',
  url: 'URL',
  keyword: 'Keyword',
  timezone: 'Timezone',
  range: 'Date range',
  event: 'Event',
};

export function fieldLabel(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  if (!key) return 'The request';
  const known = LABELS[key];
  if (known) return known;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a set of fields',
};

const count = (n: number | bigint, one: string) => `${n} ${one}${Number(n) === 1 ? '' : 's'}`;
const num = (n: number | bigint) => (typeof n === 'bigint' ? n.toString() : n.toLocaleString('en-US'));

/** Zod's default message, or one the contract wrote (a regex's or a refinement's own words). */
const isZodDefault = (message: string) =>
  /^(Invalid|Too (big|small)|Unrecognized key|Expected)\b/.test(message);

/** One sentence a marketer reads, for the first thing wrong with a call's arguments. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  const label = fieldLabel(issue.path);
  switch (issue.code) {
    case 'too_big': {
      const max = issue.maximum;
      if (issue.origin === 'string') return `${label} can be at most ${count(max, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `${label} can have at most ${count(max, 'item')}`;
      return issue.inclusive === false
        ? `${label} must be less than ${num(max)}`
        : `${label} can be at most ${num(max)}`;
    }
    case 'too_small': {
      const min = issue.minimum;
      if (issue.origin === 'string')
        return Number(min) <= 1
          ? `${label} cannot be empty`
          : `${label} needs at least ${count(min, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return Number(min) <= 1
          ? `${label} needs at least one item`
          : `${label} needs at least ${count(min, 'item')}`;
      if (Number(min) === 0 && issue.inclusive !== false) return `${label} cannot be negative`;
      return issue.inclusive === false
        ? `${label} must be more than ${num(min)}`
        : `${label} must be at least ${num(min)}`;
    }
    case 'invalid_type':
      if (issue.input === undefined) return `${label} is missing`;
      return `${label} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `${label} must be one of: ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `Unknown ${issue.keys.length === 1 ? 'field' : 'fields'}: ${issue.keys.join(', ')}`;
    case 'not_multiple_of':
      return `${label} must be a multiple of ${num(issue.divisor)}`;
    default:
      if (isZodDefault(issue.message)) return `${label} is not valid`;
      // The contract's own words: "a date is YYYY-MM-DD", "must be digits…", "is not a time zone…".
      return /^(is|must|can|needs)\b/.test(issue.message)
        ? `${label} ${issue.message}`
        : `${label}: ${issue.message}`;
  }
}
