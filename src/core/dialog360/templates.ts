import type { Db } from '../db/open';
import { cachedStatement } from '../db/statements';
import type { RawTemplate } from './client';

// Message templates as fetched from 360dialog (GET /v1/configs/templates, https://docs.360dialog.com/docs/messaging-api/api-reference/templates).
// They give `reply:` sources and outgoing messages sent through the proxy a readable name.

export interface TemplateButton {
  index: number;
  type: string;
  text: string;
}

export interface StoredTemplate {
  phoneNumberId: string;
  name: string;
  language: string;
  status: string | null;
  category: string | null;
  buttons: TemplateButton[];
  syncedAt: number;
}

/** Buttons of the BUTTONS component, in order (their position is the `index` a send body refers to). */
export function buttonsOf(components: unknown[]): TemplateButton[] {
  for (const c of components) {
    if (!c || typeof c !== 'object') continue;
    const comp = c as { type?: unknown; buttons?: unknown };
    if (
      typeof comp.type !== 'string' ||
      comp.type.toUpperCase() !== 'BUTTONS' ||
      !Array.isArray(comp.buttons)
    )
      continue;
    return comp.buttons.flatMap((b, index) => {
      const button = (b ?? {}) as { type?: unknown; text?: unknown };
      if (typeof button.text !== 'string') return [];
      return [
        {
          index,
          type: typeof button.type === 'string' ? button.type.toUpperCase() : 'QUICK_REPLY',
          text: button.text,
        },
      ];
    });
  }
  return [];
}

/**
 * Upserts the fetched templates. Templates missing from a later fetch are kept: replies to a template
 * that was deleted at 360dialog still deserve its name.
 */
export function storeTemplates(
  db: Db,
  phoneNumberId: string,
  templates: RawTemplate[],
  now = Date.now(),
): number {
  const upsert = db.prepare(
    `INSERT INTO templates (phone_number_id, name, language, status, category, components, synced_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (phone_number_id, name, language) DO UPDATE SET
       status = excluded.status, category = excluded.category, components = excluded.components, synced_at = excluded.synced_at`,
  );
  const clearButtons = db.prepare(
    'DELETE FROM template_buttons WHERE phone_number_id = ? AND template_name = ? AND language = ?',
  );
  const addButton = db.prepare(
    'INSERT INTO template_buttons (phone_number_id, template_name, language, idx, type, text) VALUES (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const t of templates) {
      upsert.run(phoneNumberId, t.name, t.language, t.status, t.category, JSON.stringify(t.components), now);
      clearButtons.run(phoneNumberId, t.name, t.language);
      for (const b of buttonsOf(t.components))
        addButton.run(phoneNumberId, t.name, t.language, b.index, b.type, b.text);
    }
  })();
  return templates.length;
}

export function listTemplates(db: Db, phoneNumberId?: string): StoredTemplate[] {
  const rows = db
    .prepare(
      `SELECT phone_number_id, name, language, status, category, components, synced_at FROM templates
       WHERE @phone IS NULL OR phone_number_id = @phone ORDER BY phone_number_id, name, language`,
    )
    .all({ phone: phoneNumberId ?? null }) as {
    phone_number_id: string;
    name: string;
    language: string;
    status: string | null;
    category: string | null;
    components: string;
    synced_at: number;
  }[];
  return rows.map((r) => ({
    phoneNumberId: r.phone_number_id,
    name: r.name,
    language: r.language,
    status: r.status,
    category: r.category,
    buttons: buttonsOf(JSON.parse(r.components) as unknown[]),
    syncedAt: r.synced_at,
  }));
}

/** The stored buttons of one template (any language when none is given, the first language wins). */
export function templateButtons(
  db: Db,
  phoneNumberId: string,
  name: string,
  language?: string,
): TemplateButton[] {
  const row = db
    .prepare(
      `SELECT components FROM templates WHERE phone_number_id = @phone AND name = @name AND (@language IS NULL OR language = @language)
       ORDER BY language LIMIT 1`,
    )
    .get({ phone: phoneNumberId, name, language: language ?? null }) as { components: string } | undefined;
  return row ? buttonsOf(JSON.parse(row.components) as unknown[]) : [];
}

/**
 * The template a `reply:` source is displayed with: the reply's button text must match (exactly,
 * case and spaces included) a quick-reply button of exactly one template of that number. The same
 * template in several languages counts once; a text shared by two templates names neither.
 * Only quick-reply buttons come back as replies, so URL/phone/copy-code buttons never compete.
 */
export function templateNameForReply(db: Db, phoneNumberId: string, buttonText: string): string | null {
  // Cached: a report names every reply: source of its range through this.
  const rows = cachedStatement(
    db,
    `SELECT DISTINCT template_name FROM template_buttons
     WHERE phone_number_id = ? AND text = ? AND type = 'QUICK_REPLY' LIMIT 2`,
  ).all(phoneNumberId, buttonText) as { template_name: string }[];
  return rows.length === 1 ? rows[0]!.template_name : null;
}
