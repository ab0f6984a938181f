// Runs a TypeScript worker entry under tsx (for tests that start lane workers from source).
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
