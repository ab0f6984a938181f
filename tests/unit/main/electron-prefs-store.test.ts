import { describe, expect, it } from 'vitest';
import { type DocumentStore, ElectronPrefsStore } from '../../../src/main/electron-prefs-store';

const memory = (store: Record<string, unknown> = {}): DocumentStore => ({ store });

describe('ElectronPrefsStore', () => {
  it('merges patches like browser mode, one level deeper for per-phone maps and the table layout', () => {
    const backing = memory();
    const prefs = new ElectronPrefsStore(backing);
    prefs.set({ theme: 'dark', eventByPhone: { a: 'purchase' }, table: { groupAds: 'campaign' } });
    const next = prefs.set({ eventByPhone: { b: 'lead' }, table: { hiddenColumns: ['roas'] } });
    expect(next).toEqual({
      theme: 'dark',
      eventByPhone: { a: 'purchase', b: 'lead' },
      table: { groupAds: 'campaign', hiddenColumns: ['roas'] },
    });
    expect(backing.store).toEqual(next);
    expect(prefs.get()).toEqual(next);
  });

  it('drops unknown fields and ignores a document that does not match the schema', () => {
    expect(new ElectronPrefsStore(memory({ theme: 'light', injected: '<script>' })).get()).toEqual({
      theme: 'light',
    });
    expect(new ElectronPrefsStore(memory({ theme: 'neon' })).get()).toEqual({});
  });
});
