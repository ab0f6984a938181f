import { type App, type Session, shell } from 'electron';
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY } from '../shared/security-headers';
import { type AppOrigin, isPermissionAllowed, navigationDecision } from './url-policy';

/**
 * Electron's security checklist, applied to every web contents the app ever creates
 * (docs/security.md lists each item). Call before the first window opens.
 */
export function installSecurity(app: App, session: Session, origin: AppOrigin): void {
  const openExternally = (url: string | null) => {
    if (url) void shell.openExternal(url);
  };

  app.on('web-contents-created', (_event, contents) => {
    // No <webview>: it would be a second, unconfigured browser inside the app.
    contents.on('will-attach-webview', (e) => e.preventDefault());
    const guard = (e: { url: string; preventDefault(): void }) => {
      const decision = navigationDecision(e.url, origin);
      if (decision.allow) return;
      e.preventDefault();
      openExternally(decision.openExternally);
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    // window.open and target=_blank never create a window; https links go to the system browser.
    contents.setWindowOpenHandler(({ url }) => {
      const decision = navigationDecision(url, origin);
      openExternally(decision.allow ? null : decision.openExternally);
      return { action: 'deny' };
    });
  });

  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, origin));
  });
  session.setPermissionCheckHandler((contents, permission) =>
    isPermissionAllowed(permission, contents?.getURL(), origin),
  );

  const csp = origin.kind === 'dev' ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] },
    });
  });
}
