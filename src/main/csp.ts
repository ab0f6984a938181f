import { CONTENT_SECURITY_POLICY } from '../shared/security-headers';

// The renderer's Content-Security-Policy is defined once, in src/shared/security-headers.ts (browser
// mode sends it too); tests/unit/main/security-policy.test.ts checks the meta tag against it.
export { CONTENT_SECURITY_POLICY };

/**
 * The dev server only (unpackaged, loopback): React Fast Refresh injects an inline preamble script.
 * Never used for the built renderer, which loads from file://.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
);
