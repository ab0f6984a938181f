/**
 * The renderer's Content-Security-Policy. Sent as a response header wherever the renderer is served:
 * browser mode's static files and API (src/core/server/server.ts) and the desktop app's `app://`
 * protocol (src/main/app-protocol.ts). `frame-ancestors` only works in a header, never in a meta tag
 * (https://www.w3.org/TR/CSP3/#meta-element: "frame-ancestors … not supported inside a meta element").
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Headers on every response that can carry the app: no framing by another site (CSP frame-ancestors, and
 * X-Frame-Options for browsers without CSP 3), no MIME sniffing, and no Referer leaving the app
 * (https://owasp.org/www-project-secure-headers/ — "Response headers").
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
