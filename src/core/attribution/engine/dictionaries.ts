import type { EventInfo, SourceInfo } from '../classify';
import { TableSet } from './table-set';

// Sources, conversion events and template names: the ids the derived rows point at, cached per transaction.

export abstract class Dictionaries extends TableSet {
  private readonly sources = new Map<string, { id: number; nameTs: number | null; nameMsg: string | null }>();
  private readonly eventIds = new Map<string, number>();
  // Facts known since reset(), so appends skip lookups whose answer is certain (a new source has no
  // earlier conversation; occurrences.ts has the other one). Forgetting them is always safe: the lookup
  // runs instead.
  protected readonly unusedNewSources = new Set<number>();
  private readonly templates = new Map<string, string | null>();
  private readonly kinds = new Map<number, string>();

  override reset(): void {
    super.reset();
    this.sources.clear();
    this.eventIds.clear();
    this.templates.clear();
    this.kinds.clear();
    this.unusedNewSources.clear();
  }

  sourceId(info: SourceInfo, nameTs: number, nameMsg: string): number {
    let src = this.sources.get(info.key);
    if (!src) {
      const row = this.st('SELECT id, name_ts, name_msg FROM $sources WHERE key = ?').get(info.key) as
        | { id: number; name_ts: number | null; name_msg: string | null }
        | undefined;
      if (!row) {
        const named = info.name !== null;
        const id = Number(
          this.st('INSERT INTO $sources (key, kind, name, name_ts, name_msg) VALUES (?, ?, ?, ?, ?)').run(
            info.key,
            info.kind,
            info.name,
            named ? nameTs : null,
            named ? nameMsg : null,
          ).lastInsertRowid,
        );
        this.sources.set(info.key, { id, nameTs: named ? nameTs : null, nameMsg: named ? nameMsg : null });
        this.unusedNewSources.add(id);
        return id;
      }
      src = { id: row.id, nameTs: row.name_ts, nameMsg: row.name_msg };
      this.sources.set(info.key, src);
    }
    // The earliest message that carries a name names the source, whatever order messages arrive in.
    if (
      info.name !== null &&
      (src.nameTs === null || nameTs < src.nameTs || (nameTs === src.nameTs && nameMsg < src.nameMsg!))
    ) {
      this.st('UPDATE $sources SET name = ?, name_ts = ?, name_msg = ? WHERE id = ?').run(
        info.name,
        nameTs,
        nameMsg,
        src.id,
      );
      src.nameTs = nameTs;
      src.nameMsg = nameMsg;
    }
    return src.id;
  }

  /** A source's kind (meta_ad, keyword …), cached per transaction. */
  protected sourceKind(id: number): string {
    let kind = this.kinds.get(id);
    if (kind === undefined) {
      kind = (this.st('SELECT kind FROM $sources WHERE id = ?').pluck().get(id) as string | undefined) ?? '';
      this.kinds.set(id, kind);
    }
    return kind;
  }

  eventId(info: EventInfo): number {
    const cached = this.eventIds.get(info.key);
    if (cached !== undefined) return cached;
    const row = this.st('SELECT id FROM $events WHERE key = ?').pluck().get(info.key) as number | undefined;
    const id =
      row ??
      Number(
        this.st('INSERT INTO $events (key, kind, label) VALUES (?, ?, ?)').run(
          info.key,
          info.kind,
          info.label,
        ).lastInsertRowid,
      );
    this.eventIds.set(info.key, id);
    return id;
  }

  protected templateOf = (outgoingId: string): string | null => {
    if (!this.templates.has(outgoingId)) {
      const t = this.st('SELECT template_name FROM outgoing_messages WHERE id = ?').pluck().get(outgoingId) as
        | string
        | null
        | undefined;
      this.templates.set(outgoingId, t ?? null);
    }
    return this.templates.get(outgoingId)!;
  };
}
