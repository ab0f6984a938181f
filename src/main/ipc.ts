import fs from 'node:fs/promises';
import path from 'node:path';
import { app, BrowserWindow, dialog, type IpcMain, type IpcMainInvokeEvent, shell } from 'electron';
import type { CoreHost } from '../core/host/host';
import { IPC_CALL_PREFIX, IPC_EVENT, IPC_SHELL } from '../shared/bridge';
import { methodNames } from '../shared/contract';
import { handleContractCall } from './ipc-call';
import { PrintToPdfArgs, SaveFileArgs, safeFileName, withExtension, withFilterExtension } from './shell-args';
import { type AppOrigin, externalHttpsUrl, isTrustedSender } from './url-policy';

/**
 * One ipcMain.handle per contract method (never a generic "call anything" channel), the shell
 * channels, and the fan-out of core events to every window. Returns a function that removes them.
 */
export function registerIpc(ipcMain: IpcMain, host: CoreHost, origin: AppOrigin): () => void {
  const channels: string[] = [];
  for (const method of methodNames) {
    const channel = IPC_CALL_PREFIX + method;
    ipcMain.handle(channel, (event, workspace: unknown, args: unknown) =>
      handleContractCall(host, origin, method, event.senderFrame, workspace, args),
    );
    channels.push(channel);
  }

  const trusted = (event: IpcMainInvokeEvent) => {
    if (!isTrustedSender(event.senderFrame, origin))
      throw new Error('This page may not use the desktop shell');
  };

  ipcMain.handle(IPC_SHELL.saveFile, async (event, ...raw: unknown[]) => {
    trusted(event);
    const [suggestedName, content, filters] = SaveFileArgs.parse(raw);
    const owner = BrowserWindow.fromWebContents(event.sender);
    const options = {
      defaultPath: path.join(
        app.getPath('downloads'),
        withFilterExtension(safeFileName(suggestedName, 'export'), filters),
      ),
      ...(filters ? { filters } : {}),
    };
    const choice = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { saved: false };
    const file = withFilterExtension(choice.filePath, filters);
    await fs.writeFile(file, content, 'utf8');
    return { saved: true, path: file };
  });

  ipcMain.handle(IPC_SHELL.printToPdf, async (event, ...raw: unknown[]) => {
    trusted(event);
    const [suggestedName] = PrintToPdfArgs.parse(raw);
    // Rendered first so the page printed is the one the user asked for, whatever happens during the dialog.
    const pdf = await event.sender.printToPDF({ printBackground: true, preferCSSPageSize: true });
    const owner = BrowserWindow.fromWebContents(event.sender);
    const options = {
      defaultPath: path.join(
        app.getPath('documents'),
        withExtension(safeFileName(suggestedName, 'report.pdf'), 'pdf'),
      ),
      filters: [{ name: 'PDF', extensions: ['pdf'] }],
    };
    const choice = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { saved: false };
    const file = withExtension(choice.filePath, 'pdf');
    await fs.writeFile(file, pdf);
    return { saved: true, path: file };
  });

  ipcMain.handle(IPC_SHELL.openExternal, async (event, raw: unknown) => {
    trusted(event);
    const url = externalHttpsUrl(raw);
    if (!url) throw new Error('Only https links can be opened');
    await shell.openExternal(url);
  });
  channels.push(IPC_SHELL.saveFile, IPC_SHELL.printToPdf, IPC_SHELL.openExternal);

  const off = host.onEvent((e) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed() && isTrustedSender(win.webContents.mainFrame, origin))
        win.webContents.send(IPC_EVENT, e);
    }
  });

  return () => {
    off();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
