// Types of scripts/postinstall.mjs for the TypeScript tests that import it.
export function downloadFailureReason(stderr: string): string | null;
export function unavailableLine(reason: string | null): string;
