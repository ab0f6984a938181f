// Types of scripts/start.mjs for the TypeScript tests that import it.
export function newestMtime(paths: string[]): number;
export function isStale(outputs: string[], inputs: string[]): boolean;
export function electronBinary(): string | null;
