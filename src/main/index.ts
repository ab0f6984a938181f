import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow, dialog, ipcMain, protocol, safeStorage, session } from 'electron';
import Store from 'electron-store';
import { startCollectorScheduler } from '../core/collector/scheduler';
import { startConversionsScheduler } from '../core/conversions/schedule';
import { CoreHost, SHUTDOWN_DEADLINE_MS } from '../core/host/host';
import type { RunningServer } from '../core/server/server';
import { WorkspaceName } from '../shared/contract/define';
import { APP_SCHEME_PRIVILEGES, serveApp } from './app-protocol';
import { bundlePaths } from './bundle-paths';
import { ElectronPrefsStore } from './electron-prefs-store';
import { registerIpc } from './ipc';
import { APP_NAME, chooseDataDir, chooseReceiverPort, parseLaunchArgs } from './launch-options';
import { nativeBindingPath } from './native-binding';
import { startReceivers } from './receivers';
import { SafeStorageSecretStore } from './safe-storage-secret-store';
import { installSecurity } from './security';
import { appOrigin } from './url-policy';
import { createMainWindow } from './window';

// Electron main: owns the window and the shell; all data work happens in the core's lane workers
// (CoreHost), so neither the UI's IPC nor the webhook receivers wait on SQLite.

const mainDir = path.dirname(fileURLToPath(import.meta.url));
const launch = parseLaunchArgs(process.argv.slice(1));

app.setName(APP_NAME);
const dataDir = chooseDataDir(launch, process.env, app.getPath('appData'));
// Chromium's profile lives beside the workspaces; a test's temp data folder isolates everything.
app.setPath('userData', dataDir);
app.enableSandbox();
// Before ready: a scheme's privileges are fixed when Chromium starts.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  // Another window already serves this data folder (the lock is per userData): it gets focused.
  app.quit();
} else {
  start().catch((err: unknown) => {
    dialog.showErrorBox(
      APP_NAME,
      `The app could not start: ${err instanceof Error ? err.message : String(err)}`,
    );
    app.exit(1);
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  const packaged = app.isPackaged;
  const paths = bundlePaths(mainDir, packaged);
  const origin = appOrigin({
    devServerUrl: process.env.ELECTRON_RENDERER_URL,
    packaged,
  });
  installSecurity(app, session.defaultSession, origin);
  serveApp(session.defaultSession.protocol, path.dirname(paths.rendererIndex));

  const nativeBinding = nativeBindingPath({
    electronVersion: process.versions.electron,
    platform: process.platform,
    arch: process.arch,
    packaged,
    resourcesPath: process.resourcesPath,
    appRoot: app.getAppPath(),
  });
  if (!fs.existsSync(nativeBinding)) {
    throw new Error(
      packaged
        ? `The database driver is missing from the installation (${nativeBinding}). Reinstall the app.`
        : `better-sqlite3 is not built for Electron yet (${nativeBinding}). Start the app with "npm start", which builds it.`,
    );
  }

  const secrets = new SafeStorageSecretStore(path.join(dataDir, 'secrets.safe.json'), safeStorage);
  const prefs = new ElectronPrefsStore(
    new Store<Record<string, unknown>>({ cwd: dataDir, name: 'preferences', clearInvalidConfig: true }),
  );
  if (launch.workspace) {
    const ws = WorkspaceName.safeParse(launch.workspace);
    if (ws.success) prefs.set({ workspace: ws.data });
    else
      process.stderr.write(
        `insights: ignoring --workspace "${launch.workspace}": ${ws.error.issues[0]?.message}\n`,
      );
  }
  if (secrets.warning) process.stderr.write(`insights: ${secrets.warning}\n`);

  const host = new CoreHost({
    dataDir,
    mode: 'electron',
    version: app.getVersion(),
    secrets,
    prefs,
    runner: { kind: 'worker', file: paths.worker },
    nativeBinding,
    // Development (not packaged): every result is checked against its contract schema.
    checkResults: !packaged || process.env.INSIGHTS_CHECK_RESULTS === '1',
  });
  const unregisterIpc = registerIpc(ipcMain, host, origin);

  let receivers: RunningServer | null = null;
  try {
    receivers = await startReceivers(host, chooseReceiverPort(launch, process.env));
    process.stdout.write(`Insights Desktop: receivers on ${receivers.url}, data folder ${dataDir}\n`);
  } catch (err) {
    // The dashboard still works; only webhooks wait for the next start (or `insights serve`).
    process.stderr.write(`insights: the webhook receivers could not start: ${(err as Error).message}\n`);
  }
  // Workspaces connected to a collector pull from it every few minutes while the app runs.
  const collectorSync = startCollectorScheduler(host);
  // Conversions to Meta go out every minute while the app is open, for workspaces it sends for (those
  // connected to a collector leave sending to it).
  const conversionsSend = startConversionsScheduler(host);

  const icon = path.join(
    packaged ? process.resourcesPath : path.join(app.getAppPath(), 'resources'),
    'icon.png',
  );
  const openWindow = (): BrowserWindow => createMainWindow({ preload: paths.preload, origin, icon });
  let win = openWindow();

  app.on('second-instance', () => {
    if (win.isDestroyed()) win = openWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (win.isDestroyed()) win = openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Close the receivers and the workers (which close SQLite) before exiting; never take longer than
  // SHUTDOWN_DEADLINE_MS (a job the host could not stop in time is cut, its transaction rolled back).
  let quitState: 'running' | 'closing' | 'closed' = 'running';
  // A service manager's SIGTERM or Ctrl-C in the terminal of `npm start` quits like the menu does.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app.on('before-quit', (event) => {
    if (quitState === 'closed') return;
    event.preventDefault();
    if (quitState === 'closing') return;
    quitState = 'closing';
    setTimeout(() => app.exit(0), SHUTDOWN_DEADLINE_MS).unref();
    unregisterIpc();
    collectorSync.stop();
    conversionsSend.stop();
    Promise.allSettled([receivers?.close(), host.close()]).finally(() => {
      quitState = 'closed';
      app.quit();
    });
  });
}
