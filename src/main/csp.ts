/**
 * The renderer's Content-Security-Policy. The same string is the meta tag of src/renderer/index.html
 * (needed for file://, which has no headers); tests/unit/main/security-policy.test.ts keeps them equal.
 * Sent as a header as well for http responses (the dev server).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The dev server only (unpackaged, loopback): React Fast Refresh injects an inline preamble script.
 * Never used for the built renderer, which loads from file://.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
);
