/**
 * The renderer's Content-Security-Policy, defined once. The meta tag of src/renderer/index.html carries
 * META_CONTENT_SECURITY_POLICY (a page loaded from a file has no headers); tests/unit/main/security-policy.test.ts
 * keeps them equal. `frame-ancestors` only works in a header: in a meta tag it is ignored and Chromium logs a
 * console error for it (https://www.w3.org/TR/CSP3/#meta-element, "frame-ancestors … not supported inside
 * a meta element"), so CONTENT_SECURITY_POLICY, sent as a header by browser mode's server and Electron's
 * dev server, adds it.
 */
export const META_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

export const CONTENT_SECURITY_POLICY = `${META_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

/**
 * The dev server only (unpackaged, loopback): React Fast Refresh injects an inline preamble script.
 * Never used for the built renderer.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
);

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
