import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, type MethodSpec, methodNames } from '../../../src/shared/contract';

// The whole API the renderer can reach (IPC and HTTP alike), rendered as JSON: a new method, a
// changed lane, a changed argument or a changed result shows up as a diff of api-surface.snap (JSON;
// named .snap so formatters leave it alone).
// After an intended change: npx vitest run tests/unit/contract -u

function surface() {
  return Object.fromEntries(
    [...methodNames].sort().map((name) => {
      const spec: MethodSpec = contract[name];
      return [
        name,
        {
          lane: spec.lane,
          scope: spec.scope ?? 'workspace',
          ...(spec.jobKind ? { jobKind: spec.jobKind } : {}),
          summary: spec.summary,
          args: z.toJSONSchema(spec.args, { io: 'input', unrepresentable: 'any' }),
          result: z.toJSONSchema(spec.result, { io: 'output', unrepresentable: 'any' }),
        },
      ];
    }),
  );
}

/** Arguments travel as one JSON object (or a choice of objects): never a bare value. */
function isObjectSchema(schema: Record<string, unknown>): boolean {
  const choices = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  return schema.type === 'object' || (Array.isArray(choices) && choices.every(isObjectSchema));
}

describe('API surface', () => {
  it('matches the reviewed snapshot', async () => {
    await expect(`${JSON.stringify(surface(), null, 2)}\n`).toMatchFileSnapshot('./api-surface.snap');
  });

  it('gives every method a lane, a one-line summary and an object of arguments', () => {
    for (const name of methodNames) {
      const spec: MethodSpec = contract[name];
      expect(['read', 'side', 'write', 'job', 'host'], name).toContain(spec.lane);
      expect(spec.summary.trim(), name).not.toBe('');
      expect(spec.summary, name).not.toContain('\n');
      expect(isObjectSchema(z.toJSONSchema(spec.args, { io: 'input', unrepresentable: 'any' })), name).toBe(
        true,
      );
      if (spec.lane === 'job') expect(spec.jobKind, `${name} needs a jobKind for the job list`).toBeDefined();
    }
  });
});
