import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startConversionsScheduler } from '../../../src/core/conversions/schedule';
import type { HostApi } from '../../../src/core/kernel/host-api';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import type { MethodName } from '../../../src/shared/contract';
import { tempDir } from '../../helpers/core';

// The sending schedule of `insights serve` and the app, against a host that records the calls it gets:
// which workspaces get a conversions.send job, never two at once for one workspace, and nothing after
// stop(). The real host and sender are exercised end to end in conversions-two-installations.test.ts.

interface Workspace {
  enabled: boolean;
  sender: 'this' | 'collector';
  pending: number;
  needsLogin?: boolean;
  fail?: boolean;
}

function fakeHost(workspaces: Record<string, Workspace>) {
  const dataDir = tempDir();
  for (const name of Object.keys(workspaces)) {
    const file = workspaceDbPath(dataDir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
  }
  const sends: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const releases: (() => void)[] = [];
  const host: HostApi = {
    dataDir,
    onEvent: () => () => {},
    internal: async () => undefined,
    call: (async (method: MethodName, workspace: string | undefined, _args: unknown) => {
      const w = workspaces[workspace ?? ''];
      switch (method) {
        case 'conversions.settings':
          return { enabled: w!.enabled, sender: { kind: w!.sender } };
        case 'conversions.status':
          return { pending: w!.pending, failed: 0, needsLogin: w!.needsLogin ?? false };
        case 'jobs.list':
          return [];
        case 'conversions.send': {
          sends.push(workspace!);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // A send lasts until the test lets it finish.
          await new Promise<void>((resolve) => releases.push(resolve));
          inFlight--;
          if (w!.fail) throw new Error('Meta is down');
          w!.pending = 0;
          return {};
        }
        default:
          throw new Error(`unexpected ${method}`);
      }
    }) as HostApi['call'],
  };
  return {
    host,
    sends,
    maxInFlight: () => maxInFlight,
    releaseAll: () => {
      for (const r of releases.splice(0)) r();
    },
    cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Lets pending promise callbacks run (the scheduler's awaits) without waiting on a clock. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('conversions send schedule', () => {
  it('sends for enabled workspaces this installation sends for, one send per workspace at a time', async () => {
    const f = fakeHost({
      shop: { enabled: true, sender: 'this', pending: 3 },
      synced: { enabled: true, sender: 'collector', pending: 5 },
      off: { enabled: false, sender: 'this', pending: 2 },
      idle: { enabled: true, sender: 'this', pending: 0 },
      login: { enabled: true, sender: 'this', pending: 4, needsLogin: true },
    });
    cleanups.push(f.cleanup);
    const s = startConversionsScheduler(f.host, { immediate: false, everyMs: 3_600_000 });
    try {
      const first = s.tick();
      for (let i = 0; i < 10; i++) await settle();
      expect(f.sends).toEqual(['shop']);
      // Ticks while that send runs start no second one for the same workspace.
      const second = s.tick();
      for (let i = 0; i < 10; i++) await settle();
      expect(f.sends).toEqual(['shop']);
      f.releaseAll();
      await Promise.all([first, second]);
      expect(f.maxInFlight()).toBe(1);
      // Nothing pending any more: no further job.
      await s.tick();
      expect(f.sends).toEqual(['shop']);
    } finally {
      s.stop();
    }
  });

  it('after a failed send waits longer each time before the next attempt', async () => {
    const f = fakeHost({ shop: { enabled: true, sender: 'this', pending: 1, fail: true } });
    cleanups.push(f.cleanup);
    let now = 1_000_000;
    const errors: string[] = [];
    const s = startConversionsScheduler(f.host, {
      immediate: false,
      everyMs: 60_000,
      now: () => now,
      onError: (w) => errors.push(w),
    });
    const round = async () => {
      const t = s.tick();
      for (let i = 0; i < 10; i++) await settle();
      f.releaseAll();
      await t;
    };
    try {
      await round();
      expect(f.sends).toHaveLength(1);
      now += 60_000; // 1 minute after the first failure: due again
      await round();
      expect(f.sends).toHaveLength(2);
      now += 60_000; // after the second failure it waits 2 minutes
      await round();
      expect(f.sends).toHaveLength(2);
      now += 60_000;
      await round();
      expect(f.sends).toHaveLength(3);
      expect(errors).toEqual(['shop', 'shop', 'shop']);
    } finally {
      s.stop();
    }
  });

  it('starts nothing once stopped', async () => {
    const f = fakeHost({ shop: { enabled: true, sender: 'this', pending: 1 } });
    cleanups.push(f.cleanup);
    const s = startConversionsScheduler(f.host, { immediate: false, everyMs: 3_600_000 });
    s.stop();
    await s.tick();
    expect(f.sends).toEqual([]);
  });
});
