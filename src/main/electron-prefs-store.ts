import { mergePreferences, type PrefsStore } from '../core/prefs/prefs-store';
import { type Preferences, Preferences as PreferencesSchema } from '../shared/contract/app';

/** The part of electron-store this adapter uses: the whole document, read and replaced at once. */
export interface DocumentStore {
  store: Record<string, unknown>;
}

/**
 * Preferences in Electron, kept by electron-store in `<data folder>/preferences.json` — the same file
 * and shape browser mode's JsonPrefsStore uses, so both modes open on the same selection.
 * Whatever is on disk is parsed with the contract's schema: a hand-edited file cannot inject fields.
 */
export class ElectronPrefsStore implements PrefsStore {
  constructor(private readonly backing: DocumentStore) {}

  get(): Preferences {
    const parsed = PreferencesSchema.safeParse(this.backing.store);
    return parsed.success ? parsed.data : {};
  }

  set(patch: Preferences): Preferences {
    const next = mergePreferences(this.get(), patch);
    this.backing.store = next as Record<string, unknown>;
    return next;
  }
}
