import { BrowserWindow } from 'electron';
import { APP_INDEX_URL } from './app-protocol';
import type { AppOrigin } from './url-policy';

/** The one app window. Its title is the renderer's (document.title). */
export function createMainWindow(opts: { preload: string; origin: AppOrigin; icon?: string }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Insights Desktop',
    backgroundColor: '#ffffff',
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.origin.kind === 'dev' ? opts.origin.origin : APP_INDEX_URL);
  return win;
}
