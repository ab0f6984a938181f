/**
 * Secrets (360dialog API keys, channel secrets, Meta tokens, collector tokens) go through this
 * interface only. Electron's main process backs it with safeStorage; browser mode and the CLI with a
 * 0600 file. Implementations never log values; nothing returns them to a renderer.
 */
export interface SecretStore {
  readonly backend: string;
  /** Non-null when secrets are not really encrypted (safeStorage's basic_text); the UI shows it. */
  readonly warning: string | null;
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** Secret names are namespaced per workspace so erasing a workspace can find its secrets. */
export function secretName(workspace: string, key: string): string {
  return `${workspace}/${key}`;
}
