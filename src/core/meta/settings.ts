import type { MetaSettings } from '../../shared/contract/meta';
import type { Db } from '../db/open';
import { deleteSetting, getSetting, setSetting } from '../db/settings';
import { type SecretStore, secretName } from '../secrets/secret-store';

export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
export const DEFAULT_API_VERSION = 'v25.0';
/** Environment override of the base URL, so a fake Graph server can stand in for Meta. */
export const GRAPH_URL_ENV = 'INSIGHTS_GRAPH_URL';

const KEY_VERSION = 'meta.apiVersion';
const KEY_BASE_URL = 'meta.baseUrl';
const KEY_APP_ID = 'meta.appId';

// Secrets of a workspace's Meta connection (never returned, logged or exported).
export const TOKEN_SECRET = 'meta/token';
export const CLIENT_TOKEN_SECRET = 'meta/client-token';
export const DEVICE_LOGIN_SECRET = 'meta/device-login';

export interface GraphConfig {
  baseUrl: string;
  version: string;
}

export function graphConfig(db: Db): GraphConfig {
  const env = process.env[GRAPH_URL_ENV];
  return {
    baseUrl: env || getSetting(db, KEY_BASE_URL, DEFAULT_GRAPH_URL),
    version: getSetting(db, KEY_VERSION, DEFAULT_API_VERSION),
  };
}

export function appIdSetting(db: Db): string | null {
  return getSetting<string | null>(db, KEY_APP_ID, null);
}

export async function readMetaSettings(
  db: Db,
  secrets: SecretStore,
  workspace: string,
): Promise<MetaSettings> {
  const env = process.env[GRAPH_URL_ENV] || null;
  const baseUrl = getSetting(db, KEY_BASE_URL, DEFAULT_GRAPH_URL);
  return {
    apiVersion: getSetting(db, KEY_VERSION, DEFAULT_API_VERSION),
    baseUrl,
    effectiveBaseUrl: env ?? baseUrl,
    baseUrlFromEnv: env !== null,
    appId: appIdSetting(db),
    hasClientToken: (await secrets.get(secretName(workspace, CLIENT_TOKEN_SECRET))) !== null,
  };
}

export interface MetaSettingsChange {
  apiVersion?: string | undefined;
  baseUrl?: string | null | undefined;
  appId?: string | null | undefined;
  clientToken?: string | null | undefined;
}

/** `null` resets a setting to its default (or removes the client token); undefined leaves it. */
export async function writeMetaSettings(
  db: Db,
  secrets: SecretStore,
  workspace: string,
  change: MetaSettingsChange,
): Promise<void> {
  if (change.apiVersion !== undefined) setSetting(db, KEY_VERSION, change.apiVersion);
  if (change.baseUrl === null) deleteSetting(db, KEY_BASE_URL);
  else if (change.baseUrl !== undefined) setSetting(db, KEY_BASE_URL, change.baseUrl.replace(/\/+$/, ''));
  if (change.appId === null) deleteSetting(db, KEY_APP_ID);
  else if (change.appId !== undefined) setSetting(db, KEY_APP_ID, change.appId);
  const ct = secretName(workspace, CLIENT_TOKEN_SECRET);
  if (change.clientToken === null) await secrets.delete(ct);
  else if (change.clientToken !== undefined) await secrets.set(ct, change.clientToken);
}
