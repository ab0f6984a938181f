/**
 * The renderer's Content-Security-Policy. The meta tag of src/renderer/index.html carries
 * META_CONTENT_SECURITY_POLICY (needed for file://, which has no headers); tests/unit/main/security-policy.test.ts
 * keeps them equal. `frame-ancestors` is ignored in a meta tag, and Chromium logs a console error for it
 * (https://www.w3.org/TR/CSP3/#meta-element, "frame-ancestors ... are not supported inside a meta element"),
 * so it is only in the header: browser mode's server and Electron's dev server send CONTENT_SECURITY_POLICY.
 */
export const META_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

export const CONTENT_SECURITY_POLICY = `${META_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

/**
 * The dev server only (unpackaged, loopback): React Fast Refresh injects an inline preamble script.
 * Never used for the built renderer, which loads from file://.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
);
