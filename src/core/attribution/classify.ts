import type { EventKind, SourceKind } from '../../shared/contract/report';
import { parseSourceKey, sourceKey } from '../../shared/source-keys';
import { matchKeyword, normalizeText } from './normalize';

// Per-message rules of docs/metrics.md: which inbound messages count, the source a first message gives,
// and the messaging events a message is an occurrence of.

export interface MessageRow {
  id: string;
  ts: number;
  type: string;
  text: string | null;
  button_payload: string | null;
  button_text: string | null;
  interactive_type: string | null;
  interactive_id: string | null;
  interactive_title: string | null;
  context_id: string | null;
  referral: string | null;
  referral_source_type: string | null;
  referral_source_id: string | null;
  has_errors: number;
  group_id: string | null;
}

/**
 * Derivation reads at most 4,096 characters of a text (MAX_TEXT_CHARS of ingest/row-bounds.ts, which
 * cuts what is stored): a database written before that bound may hold longer texts, and re-deriving a
 * thread must not cost their size (docs/ingestion.md, "Sizes").
 */
export const MESSAGE_COLUMNS =
  'id, ts, type, substr(text, 1, 4096) AS text, button_payload, substr(button_text, 1, 4096) AS button_text, interactive_type, interactive_id, substr(interactive_title, 1, 4096) AS interactive_title, context_id, referral, referral_source_type, referral_source_id, has_errors, group_id';

// An edit (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/edit)
// changes an earlier message's text: it is no new message of the thread.
const NOT_COUNTING = new Set(['system', 'reaction', 'unsupported', 'unknown', 'errors', 'edit']);

/**
 * Inbound messages that start or extend conversations: not system/reaction/unsupported/edit, not sent in
 * a group, and not error-only (carrying `errors` with no content: no text, caption, button or reply
 * title, no referral — e.g. 131000 "Unsupported webhook payload" on an empty interactive message).
 */
export function isCounting(m: MessageRow): boolean {
  if (NOT_COUNTING.has(m.type) || m.group_id !== null) return false;
  const errorOnly =
    m.has_errors === 1 &&
    m.text === null &&
    m.button_text === null &&
    m.interactive_title === null &&
    m.referral === null;
  return !errorOnly;
}

/** A WhatsApp Flow completion (interactive `nfm_reply`). */
const isFlow = (m: MessageRow): boolean => m.type === 'interactive' && m.interactive_type === 'nfm_reply';

/**
 * The name of a Flow a completion answers: the template it was sent in when that business message is
 * known, else `nfm_reply.name` ("flow", "address_message"). The completion carries no Flow id
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/flows/guides/receiveflowresponse).
 */
function flowName(m: MessageRow, templateOf: (id: string) => string | null): string {
  return (m.context_id ? templateOf(m.context_id) : null) ?? nonEmpty(m.interactive_id) ?? 'flow';
}

export const hasReferral = (m: MessageRow): boolean => m.referral !== null || m.referral_source_id !== null;

/** The kinds derivation gives a source (the contract's SourceKind but the report's rollup row). */
export type SourceKindName = Exclude<SourceKind, 'rollup'>;

export interface SourceInfo {
  key: string;
  kind: SourceKindName;
  /** A derived display name (referral headline, else source_url), or null. */
  name: string | null;
}

/** The visible text of a message: body, caption, or the tapped button/row title. */
export const textOf = (m: MessageRow): string | null => m.text ?? m.button_text ?? m.interactive_title;

/** The source of a conversation from its first message; `templateOf` looks up a business message's template. */
export function sourceOf(
  m: MessageRow,
  keywords: readonly string[],
  templateOf: (id: string) => string | null,
): SourceInfo {
  if (hasReferral(m)) {
    const type = m.referral_source_type ?? 'ad';
    const id = m.referral_source_id ?? '';
    const ref = parseReferral(m.referral);
    return {
      key: sourceKey(type, id),
      kind: type === 'ad' ? 'meta_ad' : 'meta_post',
      name: nonEmpty(ref.headline) ?? nonEmpty(ref.source_url),
    };
  }
  if (isFlow(m)) return { key: sourceKey('flow', flowName(m, templateOf)), kind: 'outgoing', name: null };
  if ((m.type === 'button' || m.type === 'interactive') && m.context_id) {
    const tpl = templateOf(m.context_id);
    if (tpl) return { key: sourceKey('tpl', tpl), kind: 'outgoing', name: null };
    const reply = m.button_payload ?? m.interactive_id ?? m.button_text ?? m.interactive_title ?? '';
    // The button's text is the name until a template claims it (see templateReplyName in the report).
    return {
      key: sourceKey('reply', reply),
      kind: 'outgoing',
      name: m.button_text ?? m.interactive_title ?? null,
    };
  }
  const norm = normalizeText(textOf(m));
  if (norm !== null) {
    const kw = matchKeyword(norm, keywords);
    if (kw !== null) return { key: sourceKey('kw', kw), kind: 'keyword', name: null };
    return { key: sourceKey('text', norm), kind: 'first_message', name: null };
  }
  return { key: sourceKey('type', m.type), kind: 'first_message', name: null };
}

export type EventKindName = EventKind;

export interface EventInfo {
  key: string;
  kind: EventKindName;
  label: string;
}

/**
 * The messaging event a counting message is an occurrence of, if any. `templateOf` names a Flow after
 * the template it was sent in (as the source rule does).
 */
export function messagingEventOf(m: MessageRow, templateOf: (id: string) => string | null): EventInfo | null {
  if (isFlow(m)) {
    const name = flowName(m, templateOf);
    return eventOf('flow', name);
  }
  if (m.type === 'button' && m.button_text) return eventOf('button', m.button_text);
  if (m.type === 'interactive' && m.interactive_title) {
    if (m.interactive_type === 'button_reply') return eventOf('button', m.interactive_title);
    if (m.interactive_type === 'list_reply') return eventOf('list', m.interactive_title);
  }
  if (m.type === 'text') {
    const norm = normalizeText(m.text);
    if (norm !== null) return eventOf('text', norm);
  }
  return null;
}

// Event ids are `<prefix>:<label>`: the kind's name, `ext` for external events (docs/metrics.md, "Events").
const EVENT_PREFIX: Record<EventKind, string> = {
  external: 'ext',
  flow: 'flow',
  button: 'button',
  list: 'list',
  text: 'text',
};
const KIND_OF_PREFIX = new Map(
  Object.entries(EVENT_PREFIX).map(([kind, prefix]) => [prefix, kind as EventKind]),
);

const eventOf = (kind: EventKind, label: string): EventInfo => ({
  key: `${EVENT_PREFIX[kind]}:${label}`,
  kind,
  label,
});

export function externalEventOf(action: string): EventInfo {
  return eventOf('external', action.trim());
}

/** Kind and label of an event id as the report and CLI accept it (the label is not empty). */
export function parseEventKey(key: string): EventInfo | null {
  const { prefix, rest } = parseSourceKey(key);
  const kind = KIND_OF_PREFIX.get(prefix);
  return kind && rest !== '' ? { key, kind, label: rest } : null;
}

function parseReferral(json: string | null): { headline?: unknown; source_url?: unknown } {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? (v as { headline?: unknown; source_url?: unknown }) : {};
  } catch {
    return {};
  }
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}
